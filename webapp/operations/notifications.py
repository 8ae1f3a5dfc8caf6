"""The notification outbox: rows written with the change that causes them (ALL-5).

Delivery (in-app, e-mail, WhatsApp, Telegram) is the `notification.deliver` job, enqueued
once the row is committed (webapp.operations.delivery); an idempotency key per
message makes writing the same notification twice a no-op. A message goes to a person
(`queue_message`) or to a group chat the policy names (`queue_group_message`, CCIMA-9).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from webapp.channels import senders
from webapp.clock import now
from webapp.extensions import db
from webapp.models import ChannelSettings, Notification, User, Workspace
from webapp.tenancy import scoped

from . import batch_facts, delivery, policies


def _exists(key: str) -> bool:
    found = db.session.scalar(select(Notification.id).where(Notification.idempotency_key == key))
    return found is not None


@dataclass(frozen=True)
class _Route:
    """The channel a message to a person goes out on, its address there, and, when it is the
    policy's fallback, the channel it stands in for and why that one could not carry it."""

    channel: str
    address: str | None
    fallback_from: str | None = None
    fallback_reason: str | None = None


def _address(recipient: User, channel: str) -> str | None:
    if channel == "telegram":  # Telegram cannot write to a phone number: the person's chat
        return recipient.telegram_chat_id
    return recipient.phone if channel == "whatsapp" else recipient.email


def _channel_settings(workspace_id: int, channel: str) -> ChannelSettings | None:
    return batch_facts.lookup(
        ("channel_settings", workspace_id, channel),
        lambda: db.session.scalar(
            scoped(ChannelSettings, workspace_id).where(ChannelSettings.channel == channel)
        ),
    )


def _route(workspace_id: int, recipient: User, channel: str) -> _Route:
    """`channel`, unless the workspace has not set it up or the recipient has no address for
    it: then the policy's fallback channel (in-app unless it says otherwise), when that one can
    carry the message. Otherwise the message stays on `channel` and fails visibly."""
    address = _address(recipient, channel)
    reason = senders.unavailable(channel, _channel_settings(workspace_id, channel), address)
    if reason is None:
        return _Route(channel, address)
    workspace = db.session.get(Workspace, workspace_id)
    fallback = policies.active_policy(workspace).notifications.fallback_channel
    if fallback is None or fallback == channel:
        return _Route(channel, address)
    fallback_address = _address(recipient, fallback)
    if senders.unavailable(fallback, _channel_settings(workspace_id, fallback), fallback_address):
        return _Route(channel, address)
    return _Route(fallback, fallback_address, channel, reason)


def queue_message(
    workspace_id: int,
    recipient: User,
    channel: str,
    template: str,
    payload: dict[str, Any],
    *,
    key: str,
) -> Notification | None:
    """Add a message to the outbox unless one with the same key exists; returns the new row.

    A channel the workspace cannot use for this recipient gives way to the policy's fallback
    channel, and the row says which channel it stands in for (the delivery log shows it)."""
    return _queue_routed(
        workspace_id, recipient, _route(workspace_id, recipient, channel), template, payload, key
    )


def queue_to_address(
    workspace_id: int,
    address: str,
    template: str,
    payload: dict[str, Any],
    *,
    locale: str,
    key: str,
) -> Notification | None:
    """An e-mail to someone who is not a user (a prospect's invite, CPB-3), in `locale`."""
    if _exists(key):
        return None
    message = Notification(
        workspace_id=workspace_id,
        channel="email",
        recipient_address=address,
        template=template,
        payload=payload,
        locale=locale,
        idempotency_key=key,
        next_attempt_at=now(),
    )
    return _add(message)


def _queue_routed(
    workspace_id: int,
    recipient: User,
    route: _Route,
    template: str,
    payload: dict[str, Any],
    key: str,
) -> Notification | None:
    if _exists(key):
        return None
    message = Notification(
        workspace_id=workspace_id,
        channel=route.channel,
        recipient_user_id=recipient.id,
        recipient_address=route.address,
        fallback_from=route.fallback_from,
        fallback_reason=route.fallback_reason,
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
    channels" means); `key(person, channel)` makes each idempotent. Returns how many are new.

    A channel that falls back onto one the person already gets the message on adds nothing:
    "WhatsApp and in-app" without WhatsApp rings the bell once."""
    channels = list(channels)
    written = 0
    for person in people:
        routed: set[str] = set()
        for channel in channels:
            route = _route(workspace_id, person, channel)
            if route.channel in routed:
                continue
            routed.add(route.channel)
            row = _queue_routed(
                workspace_id, person, route, template, payload, key(person, channel)
            )
            written += row is not None
    return written


def queue_per_channel(
    workspace_id: int,
    person: User,
    channels: Iterable[str],
    message: Callable[[str], tuple[str, dict[str, Any]]],
    *,
    key: Callable[[str], str],
) -> int:
    """As `queue_for` for one person, with the template and payload each channel carries
    (`message(channel)`, the channel it goes out on after any fallback): an e-mail's
    attachment, say, that an in-app message has no use for. Returns how many are new."""
    routed: set[str] = set()
    written = 0
    for channel in channels:
        route = _route(workspace_id, person, channel)
        if route.channel in routed:
            continue
        routed.add(route.channel)
        template, payload = message(route.channel)
        written += (
            _queue_routed(workspace_id, person, route, template, payload, key(channel)) is not None
        )
    return written


def exists(key: str) -> bool:
    """Whether a message with this idempotency key is in the outbox already."""
    return _exists(key)


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
        scoped(ChannelSettings, workspace).where(ChannelSettings.channel == channel)
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
