"""The texts of notifications, keyed by template, rendered in the recipient's locale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from .times import deadline_values

MESSAGES = {
    "contact_sla_missed": (
        _l("Lead not contacted in time"),
        _l("The lead %(contact_name)s was not contacted in time and has been reassigned."),
    ),
    "review_overdue": (
        _l("Lead not reviewed in time"),
        _l("The lead %(contact_name)s was not reviewed (acknowledged) in time."),
    ),
    "follow_up_overdue": (
        _l("Lead not followed up in time"),
        _l("The lead %(contact_name)s was not followed up in time."),
    ),
    # Reminders before a timer runs out: "<the timer's notify template>.reminder" where there
    # is a text for it, else "timer.reminder". due_at and due_in are formatted when rendered.
    "review_overdue.reminder": (
        _l("Reminder: a lead is waiting to be reviewed"),
        _l("The lead %(contact_name)s must be reviewed (acknowledged) by %(due_at)s (%(due_in)s)."),
    ),
    "follow_up_overdue.reminder": (
        _l("Reminder: a lead is waiting to be followed up"),
        _l("The lead %(contact_name)s must be followed up by %(due_at)s (%(due_in)s)."),
    ),
    "timer.reminder": (
        _l("Reminder: a deadline is coming up"),
        _l("A deadline on the lead %(contact_name)s runs out at %(due_at)s (%(due_in)s)."),
    ),
}
FALLBACK = (_l("Leadline notification"), _l("Something needs your attention in Leadline."))


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_message(
    template: str, payload: dict[str, Any], locale: str, link: str | None
) -> Rendered:
    """Subject, plain text and HTML of `template` in `locale`."""
    subject, body = MESSAGES.get(template, FALLBACK)
    values = {"contact_name": "", **payload, **deadline_values(payload, locale or "en")}
    with force_locale(locale or "en"):
        subject_text, body_text = str(subject), str(body) % values
        open_text = str(_l("Open the lead")) if link else ""
    text = f"{body_text}\n\n{open_text}: {link}" if link else body_text
    html = f"<p>{escape(body_text)}</p>"
    if link:
        html += f'<p><a href="{escape(link)}">{escape(open_text)}</a></p>'
    return Rendered(subject_text, text, html)


def lead_link(workspace_slug: str, payload: dict[str, Any]) -> str | None:
    if not payload.get("lead_id"):
        return None
    base = current_app.config["LEADLINE_BASE_URL"].rstrip("/")
    return f"{base}/w/{workspace_slug}/leads/{payload['lead_id']}"
