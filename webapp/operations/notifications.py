"""The notification outbox: rows written with the change that causes them (ALL-5).

Delivery (in-app, e-mail, WhatsApp, Telegram) is a worker's job; an idempotency key per
message makes writing the same notification twice a no-op.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Notification, User


def queue_message(
    workspace_id: int,
    recipient: User,
    channel: str,
    template: str,
    payload: dict[str, Any],
    *,
    key: str,
) -> Notification | None:
    """Add a message to the outbox unless one with the same key exists; returns the new row."""
    if db.session.scalar(select(Notification.id).where(Notification.idempotency_key == key)):
        return None
    message = Notification(
        workspace_id=workspace_id,
        channel=channel,
        recipient_user_id=recipient.id,
        recipient_address=recipient.phone
        if channel in {"whatsapp", "telegram"}
        else recipient.email,
        template=template,
        payload=payload,
        locale=recipient.preferred_locale or "en",
        idempotency_key=key,
    )
    db.session.add(message)
    return message
