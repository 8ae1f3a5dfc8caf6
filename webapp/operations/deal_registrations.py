"""Deal registration (CPB-5): the partner registers the deal; the agency approves or rejects it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from webapp.clock import now
from webapp.extensions import db
from webapp.models import DealRegistration, Lead, User

from . import audit
from .opportunities import StageRefused
from .unit import operation

REVIEWS = ("approved", "rejected")


def registration_of(lead: Lead) -> DealRegistration | None:
    return db.session.scalar(select(DealRegistration).where(DealRegistration.lead_id == lead.id))


def _checked(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The registration's fields from `data`, and every refused one with its message."""
    bad: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in ("vendor", "crm_reference"):
        out[name] = str(data.get(name) or "").strip()[:200]
        if not out[name]:
            bad[name] = _("Required.")
    try:
        out["deal_value"] = Decimal(str(data.get("deal_value") or "").strip())
        if not out["deal_value"].is_finite() or out["deal_value"] <= 0:
            raise InvalidOperation
        if out["deal_value"] >= Decimal("1e12"):
            raise InvalidOperation
    except InvalidOperation:
        bad["deal_value"] = _("Give the deal's value as a positive number.")
    currency = str(data.get("currency") or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        bad["currency"] = _("Give a three-letter currency code, e.g. GBP.")
    out["currency"] = currency
    try:
        out["expected_close"] = date.fromisoformat(str(data.get("expected_close") or ""))
    except ValueError:
        bad["expected_close"] = _("Give the expected close date.")
    return out, bad


@operation
def register(lead: Lead, data: dict[str, Any], *, actor: User | None) -> DealRegistration:
    """Register (or correct and resubmit) the deal of `lead`: submitted for the agency's review."""
    fields, bad = _checked(data)
    if bad:
        raise StageRefused(bad)
    registration = registration_of(lead)
    if registration is None:
        registration = DealRegistration(workspace_id=lead.workspace_id, lead_id=lead.id)
        db.session.add(registration)
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.status = "submitted"
    registration.partner_organisation_id = lead.partner_organisation_id
    registration.registered_by_id = actor.id if actor else None
    registration.reviewed_by_id = registration.reviewed_at = None
    audit.record(
        lead.workspace_id,
        "deal.registered",
        lead,
        actor=actor,
        after={
            **fields,
            "deal_value": str(fields["deal_value"]),
            "expected_close": str(fields["expected_close"]),
        },
    )
    return registration


@operation
def review(registration: DealRegistration, status: str, *, actor: User) -> None:
    """The agency approves or rejects a submitted registration."""
    if status not in REVIEWS:
        raise StageRefused({"status": _("Choose approved or rejected.")})
    registration.status = status
    registration.reviewed_by_id, registration.reviewed_at = actor.id, now()
    audit.record(registration.workspace_id, f"deal.{status}", registration.lead, actor=actor)
