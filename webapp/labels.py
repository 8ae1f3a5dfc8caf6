"""The one place a code becomes words on a page (issue 16 item 2): deadline and task kinds,
channels, message states. Templates use these as filters (`{{ d.kind|kind_label }}`), so no
page shows `contact_sla` or `upsell_callback` to a person."""

from __future__ import annotations

import re

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from tenants.decisions.scheduled_reports import clock_kind
from tenants.policy.reporting import MAX_SCHEDULED_REPORTS
from webapp.audit_actions import TIMER_LABELS, readable
from webapp.channels.labels import CHANNEL_LABELS

# Deadline kinds that are not a policy timer's name.
DEADLINE_KINDS = {
    "timer.reminder": _l("reminder"),
    "assignment.opening": _l("opening hours"),
    "upsell_callback": _l("upsell callback"),
    **{clock_kind(i): _l("scheduled report") for i in range(MAX_SCHEDULED_REPORTS)},
}


def kind_label(kind: str | None) -> str:
    """A deadline's or timer's kind in the reader's language, capitalised."""
    if not kind:
        return ""
    label = TIMER_LABELS.get(kind) or DEADLINE_KINDS.get(kind)
    text = str(label) if label is not None else readable(kind)
    return text[:1].upper() + text[1:]


def code_label(code: str | None) -> str:
    """A code no table names, made readable rather than shown raw."""
    if not code:
        return ""
    if code in CHANNEL_LABELS:
        return str(CHANNEL_LABELS[code])
    return readable(code)


# What each message a workspace sends is about, as the delivery log names it.
MESSAGE_LABELS = {
    "access_details": _l("Access details"),
    "added_to_workspace": _l("Added to the workspace"),
    "contact_sla_missed": _l("First-contact deadline missed"),
    "deal_announcement": _l("Deal announcement"),
    "deal_closed": _l("Deal closed"),
    "email_lead_invalidated": _l("Lead invalidated"),
    "feedback_answered": _l("Feedback answered"),
    "follow_up_overdue": _l("Follow-up overdue"),
    "hot_account_for_ae": _l("Hot account for an AE"),
    "invitation": _l("Invitation"),
    "lead_allocated": _l("Lead allocated"),
    "meeting_invite": _l("Meeting invitation"),
    "monthly_roster": _l("Monthly roster"),
    "new_ae_referral": _l("New AE referral"),
    "offer_exception_ctn": _l("Offer exception"),
    "partner_feedback": _l("Partner feedback"),
    "password_reset": _l("Password reset"),
    "phone_up_for_manager": _l("Customer called their manager"),
    "ret_ticket_created": _l("Retention ticket created"),
    "scheduled_report": _l("Scheduled report"),
    "scheduled_report_ready": _l("Scheduled report"),
    "review_overdue": _l("Review overdue"),
    "timer.reminder": _l("Reminder"),
    "weekly_cutoff_incomplete": _l("Weekly cut-off: incomplete leads"),
    "weekly_report": _l("Weekly report"),
}


def message_label(template: str | None) -> str:
    """The subject of a message template ("deal_closed": "Deal closed"); a reminder of one
    ("review_overdue.reminder") says so."""
    if not template:
        return ""
    base, _dot, suffix = template.partition(".")
    if template in MESSAGE_LABELS:
        return str(MESSAGE_LABELS[template])
    if suffix == "reminder" and base in MESSAGE_LABELS:
        return f"{MESSAGE_LABELS[base]} ({_l('reminder')})"
    return readable(template)


# What Leadline itself writes as a policy version's comment: stored as the English msgid (the
# API and the audit read it so) and said in the reader's language on the versions page; a
# person's own comment is shown as they wrote it.
VERSION_COMMENTS = {"initial policy": _l("initial policy")}


def version_comment(comment: str | None) -> str:
    """A policy version's comment as the reader should read it."""
    if not comment:
        return ""
    label = VERSION_COMMENTS.get(comment)
    return str(label) if label is not None else comment


# A delivery's error as the senders write it (webapp/channels/senders.py, in English for the
# logs and the API), said in the reader's language; a server's or the network's own words
# inside it stay as they were received.
DELIVERY_ERRORS: tuple[tuple[re.Pattern[str], LazyString], ...] = (
    (
        re.compile(r"(?P<channel>\w+) is not set up for this workspace \(Settings → Channels\)"),
        _l("%(channel)s is not set up for this workspace (Settings → Channels)"),
    ),
    (re.compile(r"the recipient has no e-mail address"), _l("the recipient has no e-mail address")),
    (
        re.compile(r"whatsapp needs the recipient's phone and a phone number id"),
        _l("WhatsApp needs the recipient's phone and a phone number id"),
    ),
    (re.compile(r"telegram needs a chat id"), _l("Telegram needs a chat id")),
    (
        re.compile(r"telegram group (?P<group>.+) has no chat id \(Settings → Channels\)"),
        _l("The Telegram group %(group)s has no chat id (Settings → Channels)"),
    ),
    (
        re.compile(r"(?P<channel>\w+) cannot post to a group \((?P<group>.+)\): use telegram"),
        _l("%(channel)s cannot post to a group (%(group)s): use Telegram"),
    ),
    (
        re.compile(r"HTTP (?P<code>\d+) from (?P<address>\S+): (?P<detail>.*)", re.S),
        _l("HTTP %(code)s from %(address)s: %(detail)s"),
    ),
    (
        re.compile(r"SMTP (?P<address>\S+): (?P<detail>.*)", re.S),
        _l("SMTP %(address)s: %(detail)s"),
    ),
    (
        re.compile(r"(?P<address>https?://\S+): (?P<detail>.*)", re.S),
        _l("Could not reach %(address)s: %(detail)s"),
    ),
    (re.compile(r"unknown channel (?P<channel>.+)"), _l("Unknown channel %(channel)s")),
)


def delivery_error(error: str | None) -> str:
    """A delivery's last error in the reader's language (the stored text otherwise)."""
    if not error:
        return ""
    for pattern, message in DELIVERY_ERRORS:
        if match := pattern.fullmatch(error):
            values = match.groupdict()
            if "channel" in values:
                values["channel"] = code_label(values["channel"])
            return str(message) % values
    return error
