"""Contact attempts a partner logs on a lead by the policy's channels, with their fields (CPB-6)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from tenants import Policy
from tenants.policy.common import label_for
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Activity, AuditEvent, Lead, User

from . import activities, audit, collateral, policies
from .acknowledgements import WITHDRAWN
from .unit import operation

# What each channel's attempt records beside its note; a voicemail's message is the
# policy's standard one filled in (CPB-6: date, time, reason, how to reach back, will call).
CHANNEL_FIELDS: dict[str, tuple[str, ...]] = {
    "email": ("subject",),
    "call": ("number",),
    "social": ("network",),
    "voicemail": ("number", "message"),
}


def channels(policy: Policy) -> list[str]:
    return list(policy.records.contact_attempts.channels)


def fields_of(policy: Policy, channel: str) -> tuple[str, ...]:
    """What an attempt by `channel` records beside its note: a voicemail's fields are the
    policy's `records.contact_attempts.voicemail_fields` when it lists any (CPB-6)."""
    if channel == "voicemail" and policy.records.contact_attempts.voicemail_fields:
        return tuple(policy.records.contact_attempts.voicemail_fields)
    return CHANNEL_FIELDS.get(channel, ())


def extra_fields(policy: Policy) -> list[str]:
    """The policy's voicemail fields the fixed form has no input for (the form adds them)."""
    fixed = {name for names in CHANNEL_FIELDS.values() for name in names}
    return [f for f in policy.records.contact_attempts.voicemail_fields if f not in fixed]


@operation
def log_attempt(
    lead: Lead, channel: str, *, actor: User | None, note: str = "", **fields: Any
) -> Activity:
    """Record one contact attempt on `lead`; refused naming every bad field at once."""
    policy = policies.active_policy(lead.workspace)
    allowed = channels(policy)
    if channel not in allowed:
        raise UserError("channel", _("Choose one of: %(allowed)s.", allowed=", ".join(allowed)))
    names = fields_of(policy, channel)
    details = {k: str(fields.get(k) or "").strip()[:2000] for k in names}
    if channel == "voicemail" and "message" in names and not details.get("message"):
        raise UserError("message", _("Write the message you left."))
    sent = None
    if channel == "email" and fields.get("collateral"):
        sent = collateral.find(lead.workspace_id, fields["collateral"])
        if sent is None:
            raise UserError("collateral", _("No such document in the library."))
        details["collateral"] = sent.title
    activity = activities.log_activity(lead, channel, actor=actor, note=note.strip()[:4000])
    activity.details = {k: v for k, v in details.items() if v}
    if sent is not None:  # CPB-8: what was sent to whom, on the lead's timeline
        audit.record(
            lead.workspace_id,
            "collateral.sent",
            lead,
            actor=actor,
            after={"collateral_id": sent.id, "title": sent.title, "to": lead.email_normalised},
        )
    return activity


def counts(lead_ids: Iterable[int]) -> dict[int, Counter]:
    """Attempts per lead and channel for these leads since their current allocation (an
    organisation the lead was taken from keeps its attempts to itself), in two queries."""
    ids = list(lead_ids)
    result: dict[int, Counter] = {i: Counter() for i in ids}
    if not ids:
        return result
    since = withdrawals(ids)
    rows = db.session.execute(
        select(Activity.lead_id, Activity.channel, Activity.occurred_at).where(
            Activity.lead_id.in_(ids), Activity.channel != "note"
        )
    )
    for lead_id, channel, occurred_at in rows:
        if lead_id not in since or occurred_at > since[lead_id]:
            result[lead_id][channel] += 1
    return result


def withdrawals(lead_ids: list[int]) -> dict[int, datetime]:
    """When each of these leads was last withdrawn from a partner organisation."""
    rows = db.session.execute(
        select(AuditEvent.subject_id, func.max(AuditEvent.created_at))
        .where(
            AuditEvent.subject_type == Lead.__tablename__,
            AuditEvent.subject_id.in_(lead_ids),
            AuditEvent.action == WITHDRAWN,
        )
        .group_by(AuditEvent.subject_id)
    )
    return dict(rows.all())


def voicemail_message(policy: Policy, locale: str, **values: str) -> str:
    """The policy's standard voicemail message in `locale`, filled in with `values`."""
    templates = policy.records.contact_attempts.voicemail_message
    if not templates:
        return ""
    template = label_for(templates, locale, policy.default_locale)
    keys = ("contact", "caller", "date", "time", "reason", "how_to_reach")
    return template.format_map({k: values.get(k, "") for k in keys})
