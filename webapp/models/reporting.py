"""Weekly reports as the cut-off made them (CCIMA-7, CCIMA-8)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.extensions import db

from .base import TenantOwned
from .types import UTCDateTime


class WeeklyReport(TenantOwned, db.Model):
    """One advisor's report for the week a cut-off closes, kept as it was sent.

    The figures are the policy's `weekly_report_fields` at the cut-off; `incomplete` lists the
    advisor's open leads that were not complete then, with the reasons (CCIMA-7).
    """

    __tablename__ = "weekly_reports"
    __table_args__ = (
        # One report per advisor and cut-off: a cut-off that fires again writes nothing new.
        UniqueConstraint("workspace_id", "cutoff_at", "user_id"),
        Index("ix_weekly_reports_latest", "workspace_id", "cutoff_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime())
    week_start: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The advisor's team at the cut-off: a manager reads the reports of their team.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_by_source: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # [{"lead_id", "contact_name", "reasons": [...], "missing_fields": [...]}, ...]
    incomplete: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    user = relationship("User")
