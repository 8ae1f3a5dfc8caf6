"""Texts of the messages events send (ALL-5): deals closed and announced (CCIMA-9), duplicates
invalidated (BDC-2), a manager tagged (BDC-4), the weekly cut-off and report (CCIMA-7, 8).

`event_values` turns a payload into what the texts show, in the reader's locale: the policy's
label for the reader's language out of a `*_labels` dict, numbers and dates through Babel, a
report's figures as lines.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from babel.dates import format_date
from flask_babel import force_locale, format_number
from flask_babel import lazy_gettext as _l

from tenants.policy.common import label_for
from webapp.report_fields import report_lines

EVENT_MESSAGES = {
    "deal_closed": (
        _l("Deal closed: %(contact_name)s"),
        _l("%(advisor)s closed a deal with %(contact_name)s (%(status_label)s)."),
    ),
    "deal_announcement": (
        _l("Announcement: %(tag)s"),
        _l("%(tag)s — %(status_label)s: %(contact_name)s, advisor %(advisor)s."),
    ),
    "email_lead_invalidated": (
        _l("Lead invalidated: %(contact_name)s"),
        _l(
            "Your lead %(contact_name)s was marked invalid: the same customer came in again"
            " and the new lead takes precedence."
        ),
    ),
    "phone_up_for_manager": (
        _l("Your customer %(contact_name)s called"),
        _l(
            "%(contact_name)s, whose file you handle, called while you were unavailable;"
            " %(advisor)s took the call."
        ),
    ),
    "weekly_cutoff_incomplete": (
        _l("Weekly cut-off: incomplete leads of %(advisor)s"),
        _l(
            "Incomplete leads of %(advisor)s at the weekly cut-off of %(week_end)s:"
            " %(count)s (%(names)s)."
        ),
    ),
    "weekly_report": (
        _l("Weekly report of %(advisor)s"),
        _l("Weekly report of %(advisor)s for the week ending %(week_end)s:\n%(report_lines)s"),
    ),
}

# What a message's link says where it opens a page rather than a lead.
EVENT_LINK_LABELS = {
    "weekly_report": _l("Open the weekly reports"),
    "weekly_cutoff_incomplete": _l("Open the weekly reports"),
}


def event_values(payload: dict[str, Any], locale: str) -> dict[str, str]:
    """What the event texts show of `payload`, in `locale` (nothing for other payloads)."""
    values: dict[str, str] = {}
    with force_locale(locale):
        for key, labels in payload.items():
            if key.endswith("_labels") and isinstance(labels, dict) and labels:
                values[key.removesuffix("s")] = label_for(labels, locale)
        if isinstance(payload.get("count"), int):
            values["count"] = format_number(payload["count"])
        if isinstance(payload.get("figures"), dict):
            values["report_lines"] = report_lines(payload["figures"])
    if isinstance(payload.get("week_end"), str):
        with contextlib.suppress(ValueError):  # a malformed date is shown as it came
            values["week_end"] = format_date(
                date.fromisoformat(payload["week_end"]), "medium", locale=locale
            )
    return values
