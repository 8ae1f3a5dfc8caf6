"""The one place a code becomes words on a page (issue 16 item 2): deadline and task kinds,
channels, message states. Templates use these as filters (`{{ d.kind|kind_label }}`), so no
page shows `contact_sla` or `upsell_callback` to a person."""

from __future__ import annotations

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
