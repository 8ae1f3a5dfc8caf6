"""The texts of notifications, keyed by template, rendered in the recipient's locale."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from .event_messages import EVENT_LINK_LABELS, EVENT_MESSAGES, event_values
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
    "lead_allocated": (
        _l("A lead has been allocated to you"),
        _l("The lead %(contact_name)s has been allocated to you: please review it."),
    ),
    "partner_feedback": (
        _l("A partner flagged a problem with a lead"),
        _l("A partner gave feedback on the lead %(contact_name)s: please answer it."),
    ),
    "feedback_answered": (
        _l("Your feedback has been answered"),
        _l("The agency answered your feedback on the lead %(contact_name)s."),
    ),
    "meeting_invite": (
        _l("Invitation: %(summary)s"),
        _l(
            "Hello %(contact_name)s, %(organiser)s invites you to a meeting on %(when)s."
            " The calendar invitation is attached."
        ),
    ),
    "hot_account_for_ae": (
        _l("A HOT account: %(account_name)s"),
        _l("The account %(account_name)s has received enough leads to be HOT."),
    ),
    "new_ae_referral": (
        _l("New referral"),
        _l("%(contact_name)s has been referred to your team."),
    ),
    "ret_ticket_created": (
        _l("New retention ticket"),
        _l("%(contact_name)s asked to cancel: a ticket is waiting for your team."),
    ),
    "follow_up_overdue.reminder": (
        _l("Reminder: a lead is waiting to be followed up"),
        _l("The lead %(contact_name)s must be followed up by %(due_at)s (%(due_in)s)."),
    ),
    "timer.reminder": (
        _l("Reminder: a deadline is coming up"),
        _l("A deadline on the lead %(contact_name)s runs out at %(due_at)s (%(due_in)s)."),
    ),
    # The monthly roster (CCIMA-3) and, once confirmed, how to sign in (CCIMA-4).
    "monthly_roster": (
        _l("On-call roster for %(month)s"),
        _l(
            "Hello %(name)s, you are on the on-call roster for %(month)s."
            " On the roster: %(roster)s."
        ),
    ),
    "access_details": (
        _l("Your access to %(workspace)s"),
        _l(
            "Thank you for confirming the roster for %(month)s: you now receive leads. Sign in"
            " to %(workspace)s with your e-mail address %(email)s and your password."
        ),
    ),
    # People (issue 12): an invitation, being added to a workspace, a password reset.
    "invitation": (
        _l("You are invited to %(workspace)s on Leadline"),
        _l(
            "%(inviter)s invites you to join %(workspace)s on Leadline. Open the link to choose"
            " your password; it works for 7 days."
        ),
    ),
    "added_to_workspace": (
        _l("You now belong to %(workspace)s"),
        _l("%(inviter)s added you to %(workspace)s on Leadline. Sign in as usual."),
    ),
    "password_reset": (
        _l("Choose a new Leadline password"),
        _l(
            "Someone asked to reset your Leadline password. If it was you, open the link within"
            " %(hours)s hours; if not, ignore this message and nothing changes."
        ),
    ),
    # TEL-9: a number whose tariff or service is an exception for an active campaign.
    "offer_exception_ctn": (
        _l("Exception for %(campaign)s: %(ctn)s"),
        _l(
            "The number %(ctn)s (tariff %(tariff)s, services %(services)s) is an exception"
            " for the campaign %(campaign)s: the offer was not shown."
        ),
    ),
    # Scheduled reports (issue 15 item 6): the e-mail carries the spreadsheet, in-app links.
    "scheduled_report": (
        _l("Report for %(period)s"),
        _l("The figures for %(period)s (%(metrics)s) are in the attached spreadsheet."),
    ),
    "scheduled_report_ready": (
        _l("Report for %(period)s"),
        _l("The figures for %(period)s are ready: %(metrics)s."),
    ),
}
MESSAGES.update(EVENT_MESSAGES)
FALLBACK = (_l("Leadline notification"), _l("Something needs your attention in Leadline."))
# What a message's link says when it does not open a lead (payload "link").
LINK_LABELS = {
    "monthly_roster": _l("Confirm that you are on call"),
    "access_details": _l("Sign in"),
    "invitation": _l("Choose your password"),
    "added_to_workspace": _l("Open the workspace"),
    "password_reset": _l("Choose a new password"),
    "scheduled_report": _l("Open the dashboard"),
    "scheduled_report_ready": _l("Open the dashboard"),
}
LINK_LABELS.update(EVENT_LINK_LABELS)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar"
    text: str = ""
    data: bytes | None = None  # a binary file (a scheduled report's .xlsx) instead of text

    @property
    def content(self) -> bytes:
        return self.data if self.data is not None else self.text.encode()

    @classmethod
    def from_payload(cls, item: dict[str, Any]) -> Attachment:
        """An attachment as the outbox row keeps it: `text`, or `data` in base64, so a retry
        sends the very bytes first written."""
        data = base64.b64decode(item["data"]) if item.get("data") is not None else None
        return cls(item["filename"], item["content_type"], item.get("text", ""), data)


def attachment_payload(filename: str, content_type: str, data: bytes) -> dict[str, str]:
    """A binary attachment as the outbox row's payload keeps it (JSON: base64)."""
    return {
        "filename": filename,
        "content_type": content_type,
        "data": base64.b64encode(data).decode("ascii"),
    }


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    # Files an e-mail carries (a meeting's .ics, CPB-3): payload "attachments".
    attachments: tuple[Attachment, ...] = ()


def render_message(
    template: str, payload: dict[str, Any], locale: str, link: str | None
) -> Rendered:
    """Subject, plain text and HTML of `template` in `locale`."""
    subject, body = MESSAGES.get(template, FALLBACK)
    values = {
        "contact_name": "",
        "account_name": "",
        **payload,
        **deadline_values(payload, locale or "en"),
    }
    values.update(month_values(payload, locale or "en"))
    values.update(event_values(payload, locale or "en"))
    with force_locale(locale or "en"):
        subject_text, body_text = str(subject) % values, str(body) % values
        open_text = str(LINK_LABELS.get(template, _l("Open the lead"))) if link else ""
    text = f"{body_text}\n\n{open_text}: {link}" if link else body_text
    html = f"<p>{escape(body_text)}</p>"
    if link:
        html += f'<p><a href="{escape(link)}">{escape(open_text)}</a></p>'
    attached = tuple(Attachment.from_payload(a) for a in payload.get("attachments") or [])
    return Rendered(subject_text, text, html, attached)


def month_values(payload: dict[str, Any], locale: str) -> dict[str, str]:
    """`month` (an ISO first day, "2026-12-01") as the month's name: "December 2026"."""
    try:
        month = date.fromisoformat(payload.get("month") or "")
    except (TypeError, ValueError):
        return {}
    return {"month": format_date(month, "LLLL y", locale=locale)}


def lead_link(workspace_slug: str, payload: dict[str, Any]) -> str | None:
    """The message's own link (payload "link", e.g. a roster confirmation) or its lead's page."""
    if payload.get("link"):
        return payload["link"]
    if not payload.get("lead_id"):
        return None
    base = current_app.config["LEADLINE_BASE_URL"].rstrip("/")
    return f"{base}/w/{workspace_slug}/leads/{payload['lead_id']}"
