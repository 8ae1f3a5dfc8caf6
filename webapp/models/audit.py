"""The append-only audit trail (ALL-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.extensions import db

from .base import TenantOwned
from .types import UTCDateTime


class AuditEvent(TenantOwned, db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_subject", "workspace_id", "subject_type", "subject_id", "created_at"),
        # Reports: the status moves (won, lost, stages) of a period.
        Index("ix_audit_action", "workspace_id", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    actor = relationship("User")
