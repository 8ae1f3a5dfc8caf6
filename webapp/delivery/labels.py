"""What channels and message states are called on screen, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.models import NotificationState

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


def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


def message_state_label(state: NotificationState) -> str:
    return str(MESSAGE_STATE_LABELS.get(state, state))
