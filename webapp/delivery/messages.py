"""The texts of notifications, keyed by template, rendered in the recipient's locale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import escape

MESSAGES = {
    "contact_sla_missed": (
        _l("Lead not contacted in time"),
        _l("The lead %(contact_name)s was not contacted in time and has been reassigned."),
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
    values = {"contact_name": "", **payload}
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
