"""Per-workspace settings of the channels notifications are delivered through."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db

from .base import TenantOwned, Timestamped


class ChannelSettings(TenantOwned, Timestamped, db.Model):
    """Where and with which credentials a workspace's WhatsApp or Telegram messages go."""

    __tablename__ = "channel_settings"
    __table_args__ = (UniqueConstraint("workspace_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    base_url: Mapped[str] = mapped_column(String(255))
    phone_number_id: Mapped[str | None] = mapped_column(String(64))
    # Never shown back in the interface: write-only.
    token: Mapped[str | None] = mapped_column(String(512))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    # Group chats announcements go to, by the name the policy uses: {"Sales": "-100123"}.
    telegram_groups: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # WhatsApp replies (inbound webhook): Meta signs each POST with the app secret and proves
    # a subscription with the verify token. Both write-only, like the token.
    app_secret: Mapped[str | None] = mapped_column(String(256))
    verify_token: Mapped[str | None] = mapped_column(String(256))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
