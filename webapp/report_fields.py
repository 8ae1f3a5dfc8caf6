"""The words of a weekly report: its fields and why a lead is incomplete, in the reader's
language; the values formatted the same way on the page and in messages (ALL-6)."""

from __future__ import annotations

from typing import Any

from flask_babel import format_number
from flask_babel import lazy_gettext as _l

from tenants.decisions import reporting

FIELD_LABELS = {
    "leads_received": _l("Leads received"),
    "prospects_in_follow_up": _l("Prospects in follow-up"),
    "appointments_held": _l("Appointments held"),
    "sales_opportunities_from_appointments": _l("Sales opportunities from appointments"),
    "reservations": _l("Reservations"),
    "aaa_prospects_count": _l("Top-rated prospects"),
    "aaa_prospect_names": _l("Top-rated prospects' names"),
}
REASON_LABELS = {
    reporting.MISSING_FIELDS: _l("Required fields missing"),
    reporting.MISSING_RATING: _l("No rating"),
    reporting.STATUS_NOT_UPDATED: _l("Status never updated"),
    reporting.NOT_WORKED_THIS_WEEK: _l("Not worked this week"),
}
NOTHING = "—"


def field_label(code: str) -> str:
    """A report field's label; a field this version does not know shows as its code."""
    return str(FIELD_LABELS[code]) if code in FIELD_LABELS else code.replace("_", " ").capitalize()


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))


def field_value(value: Any) -> str:
    """A figure in the current locale: numbers through Babel, names joined, None as a dash."""
    if value is None or value == []:
        return NOTHING
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def report_lines(figures: dict[str, Any]) -> str:
    """One "label: value" line per figure, in the report's order."""
    return "\n".join(f"{field_label(code)}: {field_value(v)}" for code, v in figures.items())
