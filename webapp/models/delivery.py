"""The notification outbox and the API keys other systems use."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db

from .base import TenantOwned, Timestamped
from .types import UTCDateTime


class NotificationState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker; retried by the sweep if it never finishes
    SENT = "sent"
    FAILED = "failed"  # will be retried
    DEAD = "dead"  # retries exhausted


class Notification(TenantOwned, Timestamped, db.Model):
    """A message written in the same transaction as its cause, delivered by a worker."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_delivery", "state", "next_attempt_at"),
        Index("ix_notifications_inbox", "workspace_id", "recipient_user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE")
    )
    recipient_address: Mapped[str | None] = mapped_column(String(254))
    # A message to a group chat rather than a person (an announcement, CCIMA-9): the group's
    # name as the policy calls it, no recipient user, and the chat id the workspace's channel
    # settings give that name as the address. Rendered in the row's (the workspace's) locale.
    recipient_group: Mapped[str | None] = mapped_column(String(80))
    # Sent on the policy's fallback channel instead of `fallback_from`, which the workspace
    # has not set up or the recipient has no address for (`fallback_reason`, a code).
    fallback_from: Mapped[str | None] = mapped_column(String(20))
    fallback_reason: Mapped[str | None] = mapped_column(String(20))
    template: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    state: Mapped[NotificationState] = mapped_column(
        Enum(
            NotificationState,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=NotificationState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient = relationship("User")


class ApiKey(TenantOwned, Timestamped, db.Model):
    """A workspace's key for the REST API; only a hash of the secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The first characters of the key, shown in lists so people can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the key may do: "agent", "manager", "director" or "admin" (api_keys.KEY_ROLES).
    role: Mapped[str] = mapped_column(String(20), default="agent", server_default="agent")
    # A partner organisation's key sees only that organisation's leads (CPB-10).
    partner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_organisations.id", ondelete="CASCADE")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by = relationship("User")
    workspace = relationship("Workspace")
