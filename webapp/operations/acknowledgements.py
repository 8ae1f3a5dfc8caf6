"""A partner acknowledges (reviews) a lead allocated to it: the policy event `lead.acknowledged`.

CPB-2: an allocated lead must be reviewed within the policy's time; the timer names this event
in `cancelled_by`. Acknowledging is recorded once, in the audit trail, and like any event it
cancels the timers it satisfies (and their reminders) and starts those it starts.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from tenants import Policy
from webapp.audit_actions import LEAD_ACKNOWLEDGED
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import AuditEvent, Lead, Membership, User
from webapp.tenancy import owned_by

from . import audit, deadlines, leads, policies
from .unit import operation

EVENT = LEAD_ACKNOWLEDGED


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
    """Who acknowledged `lead` and when, if anyone has since it was last withdrawn from a
    partner organisation (the next organisation reviews it afresh, CPB-2)."""
    since = withdrawn_at(lead)
    return db.session.scalar(
        select(AuditEvent)
        .where(
            owned_by(AuditEvent, lead.workspace_id),
            AuditEvent.subject_type == Lead.__tablename__,
            AuditEvent.subject_id == lead.id,
            AuditEvent.action == EVENT,
            AuditEvent.id > since,
        )
        .order_by(AuditEvent.id)
        .limit(1)
    )


WITHDRAWN = "lead.withdrawn"


def withdrawn_at(lead: Lead) -> int:
    """The id of the audit event of the lead's last withdrawal from an organisation (0: never)."""
    return (
        db.session.scalar(
            select(func.max(AuditEvent.id)).where(
                owned_by(AuditEvent, lead.workspace_id),
                AuditEvent.subject_type == Lead.__tablename__,
                AuditEvent.subject_id == lead.id,
                AuditEvent.action == WITHDRAWN,
            )
        )
        or 0
    )


def _shared_with(lead: Lead, member: User) -> bool:
    """Whether `lead` is allocated to `member`'s organisation and nobody holds it (CPB-2)."""
    if lead.owner_id is not None or lead.partner_organisation_id is None:
        return False
    return (
        db.session.scalar(
            select(Membership.id).where(
                owned_by(Membership, lead.workspace_id),
                Membership.user_id == member.id,
                Membership.partner_organisation_id == lead.partner_organisation_id,
            )
        )
        is not None
    )


def _refusal(lead: Lead, member: User | None) -> str | None:
    # No member: a partner organisation's API key, which sees only its own leads.
    if member is not None and lead.owner_id != member.id and not _shared_with(lead, member):
        return AcknowledgeRefused.NOT_HOLDER
    if lead.status in policies.active_policy(lead.workspace).intake.terminal_codes:
        return AcknowledgeRefused.CLOSED
    if acknowledgement(lead) is not None:
        return AcknowledgeRefused.ALREADY
    return None


def may_acknowledge(lead: Lead, member: User) -> bool:
    return _refusal(lead, member) is None


@operation
def acknowledge(lead: Lead, *, actor: User | None) -> AuditEvent:
    """The member holding `lead` (or its organisation's API key: no actor) says they have
    reviewed it; refused if not theirs or done."""
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
    event = audit.record(
        lead.workspace_id,
        EVENT,
        lead,
        actor=actor,
        before={"acknowledged": False},
        after={"acknowledged": True},
    )
    deadlines.cancel_for_event(lead, [EVENT], moment, reason="acknowledged")
    leads.start_timers(lead.workspace, lead, EVENT, moment, actor)
    QUEUES.bump_after_commit(lead.workspace_id, (lead.owner_id,))
    return event
