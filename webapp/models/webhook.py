"""Signed webhook sources: another system posts leads to /hooks/<workspace>/<source>."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.extensions import db

from .base import TenantOwned
from .types import UTCDateTime


class WebhookSource(TenantOwned, db.Model):
    """One sender of leads; its requests are signed with HMAC-SHA256 of the body."""

    __tablename__ = "webhook_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The URL's last segment and the leads' source: one of the policy's intake sources.
    source_code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    # Kept in clear because verifying an HMAC needs it; shown to people once, at creation.
    secret: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by = relationship("User")
    workspace = relationship("Workspace")
