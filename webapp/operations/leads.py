"""Creating leads: contact details normalised so duplicates can be found."""

from __future__ import annotations

from typing import Any

import phonenumbers

from tenants.calendar import BusinessCalendar
from tenants.decisions import deadlines_for_event
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, Lead, User, Workspace

from . import audit, deadlines, policies
from .unit import operation
from .users import UserError


def normalise_phone(raw: str, region: str) -> str:
    """E.164 form of `raw`, read as a number of `region` when it has no country code."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise UserError("phone", f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise UserError("phone", f"not a possible phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain:
        raise UserError("email", f"not an e-mail address: {raw!r}")
    return email


def start_timers(workspace: Workspace, lead: Lead, event: str) -> list[Deadline]:
    """Schedule the deadlines the workspace's policy starts on `event` for `lead`."""
    policy = policies.active_policy(workspace)
    specs = deadlines_for_event(
        policy, event, now(), BusinessCalendar(policy.calendar), lead_type=lead.lead_type
    )
    return [
        deadlines.schedule(
            workspace.id, spec.kind, spec.due_at, lead=lead, payload={"event": event}
        )
        for spec in specs
    ]


@operation
def create_lead(
    workspace: Workspace,
    *,
    contact_name: str,
    actor: User | None,
    phone: str | None = None,
    email: str | None = None,
    owner: User | None = None,
    **fields: Any,
) -> Lead:
    """Record a lead with normalised phone and e-mail under the workspace's active policy."""
    if not contact_name.strip():
        raise UserError("contact_name", "a lead needs a contact name")
    lead = Lead(
        workspace_id=workspace.id,
        contact_name=contact_name.strip(),
        phone_raw=phone,
        phone_e164=normalise_phone(phone, workspace.country) if phone else None,
        email_raw=email,
        email_normalised=normalise_email(email) if email else None,
        owner_id=owner.id if owner else None,
        policy_version_id=workspace.active_policy_version_id,
        **fields,
    )
    db.session.add(lead)
    db.session.flush()
    start_timers(workspace, lead, "lead.created")
    if owner is not None:
        start_timers(workspace, lead, "lead.assigned")
    audit.record(
        workspace.id,
        "lead.created",
        lead,
        actor=actor,
        after={
            "contact_name": lead.contact_name,
            "owner": owner.email if owner else None,
            "source": lead.source,
        },
    )
    return lead
