"""What channels and message states are called on screen, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.models import NotificationState

from .senders import NO_ADDRESS, NOT_SET_UP

CHANNEL_LABELS = {
    "in_app": _l("In-app"),
    "email": _l("E-mail"),
    "whatsapp": _l("WhatsApp"),
    "telegram": _l("Telegram"),
}
MESSAGE_STATE_LABELS = {
    NotificationState.PENDING: _l("pending"),
    NotificationState.SENDING: _l("sending"),
    NotificationState.SENT: _l("sent"),
    NotificationState.FAILED: _l("failed"),
    NotificationState.DEAD: _l("dead"),
}
# Why a message went on the fallback channel, as the delivery log says it.
FALLBACK_REASON_LABELS = {
    NOT_SET_UP: _l("not set up for this workspace"),
    NO_ADDRESS: _l("the recipient has no address for it"),
}


def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


def message_state_label(state: NotificationState) -> str:
    return str(MESSAGE_STATE_LABELS.get(state, state))


def fallback_note(channel: str, reason: str | None) -> str:
    """The delivery log's note on a message sent on the fallback channel, e.g. "instead of
    WhatsApp: not set up for this workspace", in the reader's language."""
    return _(
        "instead of %(channel)s: %(reason)s",
        channel=channel_label(channel),
        reason=str(FALLBACK_REASON_LABELS.get(reason, reason or "")),
    )
