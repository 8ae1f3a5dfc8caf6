"""A partner acknowledges (reviews) a lead allocated to it: the policy event `lead.acknowledged`.

CPB-2: an allocated lead must be reviewed within the policy's time; the timer names this event
in `cancelled_by`. Acknowledging is recorded once, in the audit trail, and like any event it
cancels the timers it satisfies (and their reminders) and starts those it starts.
"""

from __future__ import annotations

from sqlalchemy import select, update

from tenants import Policy
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import AuditEvent, Lead, User
from webapp.tenancy import owned_by

from . import audit, deadlines, leads, policies
from .unit import operation

EVENT = "lead.acknowledged"


class AcknowledgeRefused(ValueError):
    """The member may not acknowledge this lead now; `reason` is one of the codes below."""

    NOT_HOLDER = "not_holder"
    ALREADY = "already"
    CLOSED = "closed"

    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot acknowledge the lead: {reason}")
        self.reason = reason


def policy_asks_for_it(policy: Policy) -> bool:
    """Whether acknowledging means anything here: a timer starts on it or is cancelled by it."""
    return any(t.starts_on == EVENT or EVENT in t.cancelled_by for t in policy.timers)


def acknowledgement(lead: Lead) -> AuditEvent | None:
    """Who acknowledged `lead` and when, if anyone has."""
    return db.session.scalar(
        select(AuditEvent)
        .where(
            owned_by(AuditEvent, lead.workspace_id),
            AuditEvent.subject_type == Lead.__tablename__,
            AuditEvent.subject_id == lead.id,
            AuditEvent.action == EVENT,
        )
        .order_by(AuditEvent.id)
        .limit(1)
    )


def _refusal(lead: Lead, member: User) -> str | None:
    if lead.owner_id != member.id:
        return AcknowledgeRefused.NOT_HOLDER
    if lead.status in policies.active_policy(lead.workspace).intake.terminal_codes:
        return AcknowledgeRefused.CLOSED
    if acknowledgement(lead) is not None:
        return AcknowledgeRefused.ALREADY
    return None


def may_acknowledge(lead: Lead, member: User) -> bool:
    return _refusal(lead, member) is None


@operation
def acknowledge(lead: Lead, *, actor: User) -> AuditEvent:
    """The member holding `lead` says they have reviewed it; refused if not theirs or done."""
    moment = now()
    # Lock the lead row first, so of two clicks at once the second sees the first's record.
    db.session.execute(
        update(Lead)
        .where(Lead.id == lead.id)
        .values(updated_at=moment)
        .execution_options(synchronize_session=False)
    )
    if (reason := _refusal(lead, actor)) is not None:
        raise AcknowledgeRefused(reason)
    event = audit.record(lead.workspace_id, EVENT, lead, actor=actor)
    deadlines.cancel_for_event(lead, [EVENT], moment, reason="acknowledged")
    leads.start_timers(lead.workspace, lead, EVENT, moment, actor)
    QUEUES.bump_after_commit(lead.workspace_id, (lead.owner_id,))
    return event
