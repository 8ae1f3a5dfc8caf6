"""CSV imports of leads: the uploaded file, its column mapping, the job's progress and result."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db

from .base import TenantOwned
from .tracked_run import TrackedRun, run_state_column


class ImportState(enum.StrEnum):
    """A tracked run's states (RunState), after the upload waiting for its mapping."""

    UPLOADED = "uploaded"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class LeadImport(TrackedRun, TenantOwned, db.Model):
    """One uploaded CSV file: kept whole so the dry run and the job read the same rows."""

    __tablename__ = "lead_imports"
    __table_args__ = (Index("ix_lead_imports_recent", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)  # decoded text, at most parsing.MAX_MIB MiB uploaded
    sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str] = mapped_column(String(20))
    delimiter: Mapped[str] = mapped_column(String(1))
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # column → lead field
    state: Mapped[ImportState] = run_state_column(ImportState, ImportState.UPLOADED)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    # The job's cursor: rows handled so far, committed with each row (a restarted job goes on
    # from here) with the heartbeat (`progressed_at`); one silent too long has lost its job.
    rows_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    imported_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)  # already imported
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    row_errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    requested_by = relationship("User")
