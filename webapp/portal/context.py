"""What every portal page shows of a lead: its type, BANT+A answers, clocks, attempts, records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import g
from flask_babel import format_date, format_datetime, format_time, get_locale
from sqlalchemy import select

from tenants import Policy
from tenants.policy.common import label_for
from webapp.clock import now
from webapp.extensions import db
from webapp.models import (
    Activity,
    Collateral,
    Lead,
    LeadFeedback,
    Membership,
    PartnerOrganisation,
    Role,
)
from webapp.operations import contact_attempts, deal_registrations, meetings, opportunities
from webapp.operations import feedback as feedback_records
from webapp.operations.acknowledgements import acknowledgement, may_acknowledge
from webapp.policy.labels import PolicyLabels
from webapp.tenancy import scoped

from . import invites, queries
from .labels import contact_channel, field_label


def record_label(policy: Policy, kind: str, code: str | None) -> str:
    """The policy's label of a record kind's status or category, else the code made readable."""
    labels = policy.records.kinds.get(kind).labels if policy.records.kinds.get(kind) else {}
    found = labels.get(code or "")
    if found:
        return label_for(found, str(get_locale() or "en"), policy.default_locale)
    return (code or "").replace("_", " ").capitalize()


def qualification(policy: Policy, lead: Lead, labels: PolicyLabels) -> list[tuple[str, str]]:
    """Every BANT+A answer the lead's type asks for (CPB-1), labelled, blank ones too."""
    kind = next((t for t in policy.intake.lead_types if t.code == lead.lead_type), None)
    codes = list(kind.qualification_fields) if kind else []
    answers = lead.attributes or {}
    return [(labels.field(code), _shown(policy, code, answers.get(code))) for code in codes]


def _shown(policy: Policy, code: str, value: Any) -> str:
    definition = policy.intake.field(code)
    if definition is not None and definition.kind == "datetime" and value:
        try:  # the appointment's local time, as it was booked (its zone is beside it)
            return format_datetime(datetime.fromisoformat(str(value)), "medium", rebase=False)
        except ValueError:
            return str(value)
    if value is True or value == "yes":
        return "✓"
    if value is None or value == "":
        return "—"
    return str(value)


def voicemail_text(policy: Policy, lead: Lead, labels: PolicyLabels) -> str:
    """The policy's standard voicemail message filled in for this call, in the partner's
    language (CPB-6): today's date and time, the reason, how to reach the caller."""
    membership = g.get("membership")
    caller = membership.user if membership else None
    moment = now()
    return contact_attempts.voicemail_message(
        policy,
        str(get_locale() or policy.default_locale),
        contact=lead.contact_name,
        caller=caller.name if caller else "",
        date=format_date(moment, "long"),
        time=format_time(moment, "short"),
        reason=(lead.attributes or {}).get("need") or labels.lead_type(lead.lead_type),
        how_to_reach=(caller.phone or caller.email) if caller else "",
    )


def show_attempt_count(policy: Policy) -> bool:
    """Whether the portal shows how many attempts a lead has had (CPB-6: a department may
    keep the count to itself and show only the attempts)."""
    return policy.records.contact_attempts.show_attempt_count


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STAFF = {Role.ADMIN, Role.DIRECTOR, Role.MANAGER}


def _allocation_choices() -> dict[str, Any]:
    """The organisations and partners a manager may allocate the lead to."""
    return {
        "organisations": db.session.scalars(
            scoped(PartnerOrganisation).order_by(PartnerOrganisation.name)
        ).all(),
        "partner_members": db.session.scalars(
            scoped(Membership)
            .where(Membership.role == Role.PARTNER)
            .order_by(Membership.partner_organisation_id, Membership.user_id)
        ).all(),
    }


def lead_page(policy: Policy, lead: Lead, **extra: Any) -> dict[str, Any]:
    labels = PolicyLabels.for_request(policy)
    meeting = meetings.meeting_of(lead)
    calendar_zone = policy.calendar.time_zone
    # What was done before the lead's last withdrawal was another organisation's (CPB-10).
    since = contact_attempts.withdrawals([lead.id]).get(lead.id, EPOCH)
    attempts = db.session.scalars(
        select(Activity)
        .where(
            Activity.lead_id == lead.id,
            Activity.channel != "note",
            Activity.occurred_at > since,
        )
        .order_by(Activity.occurred_at.desc())
    ).all()
    counts = contact_attempts.counts([lead.id])[lead.id]
    membership = g.get("membership")
    feedback = db.session.scalars(
        select(LeadFeedback)
        .where(LeadFeedback.lead_id == lead.id, LeadFeedback.created_at > since)
        .order_by(LeadFeedback.id)
    ).all()
    return {
        "lead": lead,
        "labels": labels,
        "policy": policy,
        "qualification": qualification(policy, lead, labels),
        "appointment": invites.appointment(lead, meeting, calendar_zone),
        "meeting": meeting,
        "nurtured": lead.lead_type in queries.nurtured_types(policy),
        "acknowledged": acknowledgement(lead),
        "may_acknowledge": may_acknowledge(lead, membership.user) if membership else False,
        "review_due": queries._pending_due([lead.id], queries.review_timers(policy)).get(lead.id),
        "follow_up_due": queries._pending_due([lead.id], queries.follow_up_timers(policy)).get(
            lead.id
        ),
        "attempts": attempts,
        "attempt_counts": counts,
        "show_attempt_count": show_attempt_count(policy),
        "channels": contact_attempts.channels(policy),
        "voicemail_extra_fields": contact_attempts.extra_fields(policy),
        "stages": opportunities.stages(policy),
        "opportunity": opportunities.stage_of(lead),
        "required_on": (
            policy.records.kinds[opportunities.KIND].required_on
            if opportunities.KIND in policy.records.kinds
            else {}
        ),
        "registration": deal_registrations.registration_of(lead),
        "feedback": feedback,
        "feedback_reasons": feedback_records.reasons(policy),
        "voicemail_text": voicemail_text(policy, lead, labels),
        "record_label": lambda kind, code: record_label(policy, kind, code),
        **(_allocation_choices() if membership and membership.role in STAFF else {}),
        "library": db.session.scalars(scoped(Collateral).order_by(Collateral.title)).all(),
        "contact_channel": contact_channel,
        "field_label": field_label,
        "errors": {},
        "form": {},
        **extra,
    }
