"""Whether an outcome may be recorded now: one per callback (L411-5), no offer past a gate that
blocks it (L411-4, L411-7, L411-9), and never a second referral from the same lead (L411-6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tenants import Policy
from tenants.decisions import GateResult, offer_blocked_by
from tenants.errors import Refusal
from tenants.markers import N_
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Activity, AuditEvent, Lead, Task
from webapp.tenancy import scoped

from .accounts import gate_facts

# The task an outcome's schedule_callback effect creates: a further call, with its own outcome.
CALLBACK_TASK = "callback"


@dataclass(frozen=True)
class Answered:
    """The outcome that already ended the callback."""

    code: str
    at: datetime


class OutcomeRefused(UserError):
    """An outcome the policy does not allow now; the page and the API word it for the reader.

    `answered`: the callback already has its outcome (L411-5); `gates`: the gates that block
    the offer this outcome records (L411-4).
    """

    def __init__(
        self, code: str, *, answered: Answered | None = None, gates: tuple[GateResult, ...] = ()
    ) -> None:
        if answered:
            message = Refusal(
                N_("the callback already has an outcome (%(outcome)s)"), outcome=answered.code
            )
        else:
            message = Refusal(
                N_("an offer is blocked by %(gates)s"), gates=", ".join(g.gate for g in gates)
            )
        super().__init__("outcome", message)
        self.code, self.answered, self.gates = code, answered, gates


def answered_by(lead: Lead) -> Answered | None:
    """The outcome that ended the lead's callback, if one did: its latest outcome, unless that
    outcome scheduled a further callback (L411-10), which gets an outcome of its own."""
    last = db.session.scalar(
        select(Activity)
        .where(Activity.lead_id == lead.id, Activity.outcome_code.is_not(None))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(1)
    )
    if last is None:
        return None
    follow_up = db.session.scalar(
        select(Task.id)
        .where(
            Task.lead_id == lead.id,
            Task.kind == CALLBACK_TASK,
            Task.created_at >= last.occurred_at,
        )
        .limit(1)
    )
    return None if follow_up else Answered(last.outcome_code or "", last.occurred_at)


def check(lead: Lead, policy: Policy, code: str) -> None:
    """Refuse outcome `code` on `lead` when the policy does not allow it now."""
    if policy.outcomes.exactly_one and (answered := answered_by(lead)):
        raise OutcomeRefused(code, answered=answered)
    if lead.account is not None:
        gates = offer_blocked_by(policy, code, gate_facts(lead.account), now())
        if gates:
            raise OutcomeRefused(code, gates=tuple(gates))


def existing_referral(lead: Lead, team_code: str) -> Lead | None:
    """The referral this lead already made to the team, if any: a lead refers once (L411-6)."""
    events = db.session.scalars(
        scoped(AuditEvent, lead.workspace_id).where(
            AuditEvent.subject_type == Lead.__tablename__,
            AuditEvent.subject_id == lead.id,
            AuditEvent.action == "lead.referred",
        )
    )
    for event in events:
        after = event.after or {}
        if after.get("team") == team_code and after.get("referral_id"):
            return db.session.get(Lead, after["referral_id"])
    return None
