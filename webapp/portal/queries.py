"""What the portal's pages read: a partner's leads with their clocks and attempt counts, and the
agency's figures per partner organisation. Every lead read goes through tenancy.scoped()."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from tenants import Policy
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    Deadline,
    DeadlineState,
    DealRegistration,
    Lead,
    LeadFeedback,
    Opportunity,
    PartnerOrganisation,
)
from webapp.operations import contact_attempts
from webapp.operations.acknowledgements import EVENT as ACKNOWLEDGED
from webapp.operations.acknowledgements import WITHDRAWN
from webapp.tenancy import scoped

NURTURE_TYPES = "nurture"


def review_timers(policy: Policy) -> set[str]:
    """The timers acknowledging stops (CPB-2)."""
    return {t.name for t in policy.timers if ACKNOWLEDGED in t.cancelled_by}


def follow_up_timers(policy: Policy) -> set[str]:
    """The allocated lead's timers a contact attempt stops (CPB-3)."""
    return {
        t.name
        for t in policy.timers
        if t.starts_on == "lead.allocated" and "activity.contact_logged" in t.cancelled_by
    }


def nurtured_types(policy: Policy) -> set[str]:
    """Lead types on a nurture track instead of the follow-up clock (CPB-9)."""
    return {t for c in policy.cadences if c.kind == NURTURE_TYPES for t in c.lead_types}


@dataclass
class Row:
    lead: Lead
    due_at: datetime | None = None
    stage: str | None = None
    attempts: Counter = field(default_factory=Counter)

    @property
    def attempt_total(self) -> int:
        return sum(self.attempts.values())


def _acknowledged():
    """Acknowledged since the lead was last withdrawn from an organisation."""
    withdrawn = aliased(AuditEvent)
    later_withdrawal = exists().where(
        withdrawn.subject_type == Lead.__tablename__,
        withdrawn.subject_id == Lead.id,
        withdrawn.action == WITHDRAWN,
        withdrawn.id > AuditEvent.id,
    )
    return exists().where(
        AuditEvent.subject_type == Lead.__tablename__,
        AuditEvent.subject_id == Lead.id,
        AuditEvent.action == ACKNOWLEDGED,
        ~later_withdrawal,
    )


def _pending_due(lead_ids: list[int], kinds: set[str]) -> dict[int, datetime]:
    if not lead_ids or not kinds:
        return {}
    rows = db.session.execute(
        select(Deadline.lead_id, func.min(Deadline.due_at))
        .where(
            Deadline.lead_id.in_(lead_ids),
            Deadline.kind.in_(sorted(kinds)),
            Deadline.state == DeadlineState.PENDING,
        )
        .group_by(Deadline.lead_id)
    )
    return dict(rows.all())


def _open(policy: Policy):
    return scoped(Lead).where(
        Lead.partner_organisation_id.is_not(None),
        Lead.status.not_in(policy.intake.terminal_codes or {""}),
    )


def inbox(policy: Policy) -> list[Row]:
    """Allocated leads nobody has reviewed yet, the review clock first to run out (CPB-2)."""
    leads = db.session.scalars(_open(policy).where(~_acknowledged()).order_by(Lead.id)).all()
    due = _pending_due([lead.id for lead in leads], review_timers(policy))
    rows = [Row(lead, due.get(lead.id)) for lead in leads]
    return sorted(rows, key=lambda r: (r.due_at is None, r.due_at or r.lead.created_at))


def my_leads(policy: Policy) -> dict[str, list[Row]]:
    """The reviewed leads by opportunity stage ("" before the first move, "nurture" for
    CPB-9's types), each with its follow-up clock and attempt counts (CPB-3, CPB-6)."""
    leads = db.session.scalars(
        scoped(Lead)
        .where(Lead.partner_organisation_id.is_not(None), _acknowledged())
        .order_by(Lead.updated_at.desc())
    ).all()
    ids = [lead.id for lead in leads]
    due = _pending_due(ids, follow_up_timers(policy))
    stages = (
        dict(
            db.session.execute(
                select(Opportunity.lead_id, Opportunity.stage).where(Opportunity.lead_id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    counts = contact_attempts.counts(ids)
    nurtured = nurtured_types(policy)
    groups: dict[str, list[Row]] = {}
    for lead in leads:
        stage = stages.get(lead.id) or (NURTURE_TYPES if lead.lead_type in nurtured else "")
        row = Row(lead, due.get(lead.id), stages.get(lead.id), counts[lead.id])
        groups.setdefault(stage, []).append(row)
    return groups


@dataclass
class OrganisationFigures:
    organisation: PartnerOrganisation
    allocated: int = 0
    reviewed_in_time: int = 0
    followed_up_in_time: int = 0
    missed: list[Lead] = field(default_factory=list)
    feedback_open: int = 0
    deals_registered: int = 0
    won: int = 0

    @property
    def compliance(self) -> float | None:
        """Share of the organisation's clocks kept (review and follow-up), or None."""
        if not self.allocated:
            return None
        kept = self.reviewed_in_time + self.followed_up_in_time
        return kept / (2 * self.allocated)


def agency_view(policy: Policy) -> list[OrganisationFigures]:
    """Per partner organisation: allocated, clocks kept, feedback open, deals and wins."""
    organisations = db.session.scalars(
        scoped(PartnerOrganisation).order_by(PartnerOrganisation.name)
    ).all()
    figures = {o.id: OrganisationFigures(o) for o in organisations}
    leads = db.session.scalars(scoped(Lead).where(Lead.partner_organisation_id.is_not(None))).all()
    by_id = {lead.id: lead for lead in leads}
    for lead in leads:
        if lead.partner_organisation_id in figures:
            figures[lead.partner_organisation_id].allocated += 1
    clocks = review_timers(policy) | follow_up_timers(policy)
    deadlines = (
        db.session.scalars(
            scoped(Deadline).where(
                Deadline.lead_id.in_(list(by_id)), Deadline.kind.in_(sorted(clocks))
            )
        ).all()
        if by_id and clocks
        else []
    )
    for deadline in deadlines:
        lead = by_id[deadline.lead_id]
        row = figures.get(lead.partner_organisation_id)
        if row is None:
            continue
        if deadline.state == DeadlineState.CANCELLED:
            if deadline.kind in review_timers(policy):
                row.reviewed_in_time += 1
            else:
                row.followed_up_in_time += 1
        elif deadline.state == DeadlineState.FIRED and lead not in row.missed:
            row.missed.append(lead)
    for feedback in db.session.scalars(scoped(LeadFeedback).where(LeadFeedback.status == "open")):
        lead = by_id.get(feedback.lead_id)
        if lead is not None and lead.partner_organisation_id in figures:
            figures[lead.partner_organisation_id].feedback_open += 1
    for registration in db.session.scalars(scoped(DealRegistration)):
        if registration.partner_organisation_id in figures:
            figures[registration.partner_organisation_id].deals_registered += 1
    for opportunity in db.session.scalars(scoped(Opportunity).where(Opportunity.stage == "won")):
        lead = by_id.get(opportunity.lead_id)
        if lead is not None and lead.partner_organisation_id in figures:
            figures[lead.partner_organisation_id].won += 1
    return list(figures.values())


def open_feedback() -> list[LeadFeedback]:
    return list(
        db.session.scalars(
            scoped(LeadFeedback).where(LeadFeedback.status == "open").order_by(LeadFeedback.id)
        )
    )


def submitted_deals() -> list[DealRegistration]:
    return list(
        db.session.scalars(
            scoped(DealRegistration)
            .where(DealRegistration.status == "submitted")
            .order_by(DealRegistration.id)
        )
    )
