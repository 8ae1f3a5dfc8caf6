"""Policy replays: a draft policy re-run over a past period, its progress and its result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db

from .base import TenantOwned
from .tracked_run import RunState, TrackedRun, run_state_column
from .types import UTCDateTime

ReplayState = RunState  # a replay has no state of its own beyond a tracked run's


class PolicyReplay(TrackedRun, TenantOwned, db.Model):
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
    state: Mapped[ReplayState] = run_state_column(ReplayState, ReplayState.QUEUED)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    draft_version = relationship("PolicyVersion", foreign_keys=[draft_version_id])
    baseline_version = relationship("PolicyVersion", foreign_keys=[baseline_version_id])
    requested_by = relationship("User")
