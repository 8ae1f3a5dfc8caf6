"""The notification outbox: rows written with the change that causes them (ALL-5).

Delivery (in-app, e-mail, WhatsApp, Telegram) is the `notification.deliver` job, enqueued
once the row is committed (webapp.operations.delivery); an idempotency key per
message makes writing the same notification twice a no-op. A message goes to a person
(`queue_message`) or to a group chat the policy names (`queue_group_message`, CCIMA-9).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from webapp.clock import now
from webapp.extensions import db
from webapp.models import ChannelSettings, Notification, User, Workspace

from . import delivery


def _exists(key: str) -> bool:
    found = db.session.scalar(select(Notification.id).where(Notification.idempotency_key == key))
    return found is not None


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
    if _exists(key):
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
        # A member who chose no language reads the department's (the interface does the same).
        locale=recipient.preferred_locale or _workspace_locale(workspace_id),
        idempotency_key=key,
        next_attempt_at=now(),
    )
    return _add(message)


def queue_for(
    workspace_id: int,
    people: Iterable[User],
    channels: Iterable[str],
    template: str,
    payload: dict[str, Any],
    *,
    key: Callable[[User, str], str],
) -> int:
    """One message per person and channel (what a policy's "tell these roles on these
    channels" means); `key(person, channel)` makes each idempotent. Returns how many are new."""
    channels = list(channels)
    return sum(
        queue_message(workspace_id, person, channel, template, payload, key=key(person, channel))
        is not None
        for person in people
        for channel in channels
    )


def queue_group_message(
    workspace: Workspace,
    channel: str,
    group: str,
    template: str,
    payload: dict[str, Any],
    *,
    key: str,
) -> Notification | None:
    """Add a message to a group chat (no recipient user) unless one with the same key exists.

    The address is the chat id the workspace's channel settings give `group`; when there is
    none yet the row still goes out and fails visibly in the delivery log, and the sender looks
    the group up again on a retry, once someone has set it up. The text is in the workspace's
    language: the group has no preferred locale of its own.
    """
    if _exists(key):
        return None
    settings = db.session.scalar(
        select(ChannelSettings).where(
            ChannelSettings.workspace_id == workspace.id, ChannelSettings.channel == channel
        )
    )
    message = Notification(
        workspace_id=workspace.id,
        channel=channel,
        recipient_user_id=None,
        recipient_group=group,
        recipient_address=((settings.telegram_groups or {}).get(group) if settings else None),
        template=template,
        payload=payload,
        locale=workspace.locale or "en",
        idempotency_key=key,
        next_attempt_at=now(),
    )
    return _add(message)


def _add(message: Notification) -> Notification:
    db.session.add(message)
    db.session.flush()
    delivery.enqueue_after_commit(message)  # the delivery job, once the row is committed
    return message


def _workspace_locale(workspace_id: int) -> str:
    workspace = db.session.get(Workspace, workspace_id)
    return (workspace.locale if workspace else None) or "en"
