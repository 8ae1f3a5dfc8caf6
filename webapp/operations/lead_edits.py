"""Editing a lead after intake (issue 12 item 4): its contact fields, rating (CCIMA-12), type
and qualification answers (CPB-1) and attributes, checked as intake checks them, duplicates
looked for again when the phone or e-mail changes, and one audit event with before/after."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from webapp.audit_actions import LEAD_UPDATED
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import Lead, Membership, Role, User
from webapp.tenancy import scoped

from . import audit, leads, policies
from . import intake_checks as checks
from .intake import IntakeInvalid, IntakeRequest, open_matches
from .unit import operation

# The lead's own columns an edit may change; anything else is one of its attributes.
COLUMNS = ("contact_name", "phone", "email", "company", "rating", "lead_type")
EDITORS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)
RESERVED_ATTRIBUTES = frozenset({"channel", "flags", "revenue", "currency"})


def may_edit(lead: Lead, user: User, membership: Membership | None) -> bool:
    """The lead's owner, and the workspace's managers, directors and administrators."""
    if membership is None:
        return False
    return lead.owner_id == user.id or membership.role in EDITORS


def current(lead: Lead) -> dict[str, Any]:
    return {
        "contact_name": lead.contact_name,
        "phone": lead.phone_raw,
        "email": lead.email_raw,
        "company": lead.company,
        "rating": lead.rating,
        "lead_type": lead.lead_type,
    }


def _request(lead: Lead, values: dict[str, Any], attributes: dict[str, Any]) -> IntakeRequest:
    """The lead as it would be after the edit, as intake's checks read a request."""
    merged = {**current(lead), **values}
    return IntakeRequest(
        contact_name=merged["contact_name"] or "",
        channel="manual",  # how it came in is not edited, nor checked again
        phone=merged["phone"] or None,
        email=merged["email"] or None,
        company=merged["company"] or None,
        rating=merged["rating"] or None,
        lead_type=merged["lead_type"] or None,
        attributes={k: v for k, v in attributes.items() if v not in (None, "")},
    )


def _edited_paths(lead: Lead, values: dict, attributes: dict, request: IntakeRequest) -> set:
    """Where an error concerns this edit: the fields it sets, and a new type's questions."""
    paths = set(values) | {f"attributes.{k}" for k in attributes}
    if "lead_type" in values:
        policy = policies.active_policy(lead.workspace)
        paths |= {checks.error_path(n) for n in checks.required_names(policy, request.lead_type)}
    return paths


def duplicate_errors(lead: Lead, request: IntakeRequest) -> list[tuple[str, str]]:
    """Another open lead with the new phone or e-mail: refused, naming it when the reader may
    see it (a partner may not see other organisations' leads: CPB-10)."""
    workspace = lead.workspace
    policy = policies.active_policy(workspace)
    errors = []
    for name, normalise in (("phone", _phone_of(workspace)), ("email", leads.normalise_email)):
        raw = getattr(request, name)
        if not raw or raw == current(lead)[name]:
            continue
        key = normalise(raw)
        found = [
            x
            for x in open_matches(
                workspace,
                policy,
                key if name == "phone" else None,
                key if name == "email" else None,
                None,
                None,
            )
            if x.id != lead.id
        ]
        if not found:
            continue
        seen = db.session.scalar(scoped(Lead).where(Lead.id.in_([x.id for x in found])).limit(1))
        if seen is not None:
            message = _(
                "Lead %(name)s (#%(id)s) already has this; open it instead of making a copy.",
                name=seen.contact_name,
                id=seen.id,
            )
        else:
            message = _("Another open lead of this workspace already has this.")
        errors.append((name, message))
    return errors


def _text(value: Any) -> str:
    """A value as a form holds it, to tell a change from the same answer typed again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _phone_of(workspace):
    return lambda raw: leads.normalise_phone(raw, workspace.country)


def check(lead: Lead, values: dict[str, Any], attributes: dict[str, Any]) -> list[tuple]:
    """Every problem with the edit, by field (intake's checks, then duplicates): empty if it
    may be saved."""
    unknown = [(k, _("This field cannot be edited.")) for k in values if k not in COLUMNS]
    unknown += [
        (f"attributes.{k}", _("This field cannot be edited."))
        for k in attributes
        if k in RESERVED_ATTRIBUTES
    ]
    merged = {**(lead.attributes or {}), **attributes}
    request = _request(lead, values, merged)
    policy = policies.active_policy(lead.workspace)
    paths = _edited_paths(lead, values, attributes, request)
    errors = [(p, m) for p, m in checks.validate(lead.workspace, policy, request) if p in paths]
    if not errors:
        errors = duplicate_errors(lead, request)
    return unknown + errors


def _apply(lead: Lead, values: dict[str, Any]) -> None:
    for name, value in values.items():
        value = value.strip() if isinstance(value, str) else value
        if name == "phone":
            lead.phone_raw = value or None
            lead.phone_e164 = (
                leads.normalise_phone(value, lead.workspace.country) if value else None
            )
        elif name == "email":
            lead.email_raw = value or None
            lead.email_normalised = leads.normalise_email(value) if value else None
        else:
            setattr(lead, name, value or (None if name != "contact_name" else value))


@operation
def update_lead(
    lead: Lead,
    *,
    actor: User | None,
    values: dict[str, Any] | None = None,
    attributes: dict[str, Any] | None = None,
    reason: str = "",
) -> dict[str, list[Any]]:
    """Change the given columns and attributes (None or "" clears one); refused with every
    problem at once (IntakeInvalid), nothing written. Returns `{field: [before, after]}`."""
    now_, stored = current(lead), lead.attributes or {}
    values = {
        k: v for k, v in (values or {}).items() if k not in now_ or _text(now_[k]) != _text(v)
    }
    attributes = {k: v for k, v in (attributes or {}).items() if _text(stored.get(k)) != _text(v)}
    if errors := check(lead, values, attributes):
        raise IntakeInvalid(errors)
    before = {k: now_[k] for k in values}
    before |= {f"attributes.{k}": (lead.attributes or {}).get(k) for k in attributes}
    _apply(lead, values)
    kept = {
        k: v for k, v in {**(lead.attributes or {}), **attributes}.items() if v not in (None, "")
    }
    lead.attributes = kept
    lead.updated_at = now()
    after = {k: current(lead)[k] for k in values} | {
        f"attributes.{k}": kept.get(k) for k in attributes
    }
    if before:
        audit.record(
            lead.workspace_id,
            LEAD_UPDATED,
            lead,
            actor=actor,
            before=before,
            after=after,
            reason=reason,
        )
        QUEUES.bump_after_commit(lead.workspace_id, (lead.owner_id,))
    return {k: [before[k], after[k]] for k in before}
