"""The notification outbox: rows written with the change that causes them (ALL-5).

Delivery (in-app, e-mail, WhatsApp, Telegram) is the `notification.deliver` job, enqueued
once the row is committed (webapp.operations.delivery); an idempotency key per
message makes writing the same notification twice a no-op.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from webapp.clock import now
from webapp.extensions import db
from webapp.models import Notification, User

from . import delivery


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
        next_attempt_at=now(),
    )
    db.session.add(message)
    db.session.flush()
    delivery.enqueue_after_commit(message)
    return message
