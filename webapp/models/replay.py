"""Policy replays: a draft policy re-run over a past period, its progress and its result."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.extensions import db

from .base import TenantOwned
from .types import UTCDateTime


class ReplayState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PolicyReplay(TenantOwned, db.Model):
    """One request to compare a draft version with the active one over [period_start, end)."""

    __tablename__ = "policy_replays"
    __table_args__ = (Index("ix_policy_replays_recent", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_version_id: Mapped[int] = mapped_column(
        ForeignKey("policy_versions.id", ondelete="CASCADE")
    )
    baseline_version_id: Mapped[int] = mapped_column(
        ForeignKey("policy_versions.id", ondelete="CASCADE")
    )
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[ReplayState] = mapped_column(
        Enum(
            ReplayState,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ReplayState.QUEUED,
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    draft_version = relationship("PolicyVersion", foreign_keys=[draft_version_id])
    baseline_version = relationship("PolicyVersion", foreign_keys=[baseline_version_id])
    requested_by = relationship("User")

    @property
    def finished(self) -> bool:
        return self.state in (ReplayState.DONE, ReplayState.FAILED)
