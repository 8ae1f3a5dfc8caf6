"""Reading the screen's and the campaign pages' forms into the operations' values, and the
labels of their choices (the codes never reach a person)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from tenants import Policy
from tenants.decisions.campaigns import MISSED, missed_codes
from webapp.operations.offer_errors import OfferInvalid

ACCRUAL_KINDS = {
    "discount": _l("Discount"),
    "compensation": _l("Compensation"),
    "fee_credit": _l("Fee credit"),
}
ACCRUAL_CATEGORIES = {
    "discount": _l("Discount"),
    "technological": _l("Technological"),
    "promotion": _l("Promotion"),
}
SPLITS = {"ivr": _l("IVR"), "OSO": _l("OSO (another split)")}
OUTCOMES = {
    "offered": _l("With an offer"),
    "missed": _l("Missed sale"),
    "transferred": _l("Transferred to another split"),
    "second_line": _l("Second line"),
    "exception": _l("Exception"),
}


def label(table: dict[str, Any], code: str | None) -> str:
    return str(table.get(code or "", code or ""))


def outcome_label(policy: Policy, code: str | None) -> str:
    """A closed call's outcome in words; the policy's missed-sale code is a missed sale."""
    return label(OUTCOMES, MISSED if code in missed_codes(policy) else code)


def _date(form: MultiDict, name: str, errors: list) -> date | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append((name, _l("Enter a date as YYYY-MM-DD.")))
        return None


def _codes(raw: str | None) -> list[str]:
    return [c.strip() for c in (raw or "").replace(";", ",").split(",") if c.strip()]


def campaign_values(form: MultiDict) -> dict[str, Any]:
    """The campaign form's values; a bad date or priority is refused with the others."""
    errors: list[tuple[str, Any]] = []
    try:
        priority = int(form.get("priority") or "")
    except ValueError:
        priority = 0
    values = {
        "code": (form.get("code") or "").strip(),
        "name": form.get("name") or "",
        "description": form.get("description") or "",
        "script": form.get("script") or "",
        "priority": priority,
        "active": form.get("active") == "1",
        "active_from": _date(form, "active_from", errors),
        "active_to": _date(form, "active_to", errors),
        "excluded_tariffs": _codes(form.get("excluded_tariffs")),
        "excluded_services": _codes(form.get("excluded_services")),
    }
    if errors:
        raise OfferInvalid(errors)
    return values


def accrual_values(form: MultiDict) -> dict[str, Any]:
    return {
        "kind": form.get("kind"),
        "category": form.get("category"),
        "amount": form.get("amount") or "",
        "consent": form.get("consent") == "1",
        "subject": form.get("subject") or "",
        "comment": form.get("comment") or "",
    }
