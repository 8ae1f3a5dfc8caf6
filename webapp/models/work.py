"""What is done to a lead and what is due: activities, tasks and deadlines."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.extensions import db

from .base import TenantOwned, Timestamped
from .types import UTCDateTime


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Activity(TenantOwned, db.Model):
    """A contact attempt or other logged work on a lead."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_lead", "lead_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(30))
    outcome_code: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")
    # A contact attempt's own fields by channel (CPB-6: a voicemail's message, an e-mail's
    # subject), as the partner portal records them.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    user = relationship("User")


class TaskState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Task(TenantOwned, Timestamped, db.Model):
    """Work due for a person: a callback, a chase, a follow-up round."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_queue", "workspace_id", "assignee_id", "state", "due_at"),
        # A team's tickets in the queue's team view.
        Index("ix_tasks_team", "workspace_id", "team_id", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A task for a whole team (a ticket for retention) rather than one person.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    # What the task shows: the script to read (L411-3), the outcome that created it.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[TaskState] = mapped_column(_enum(TaskState), default=TaskState.OPEN)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lead = relationship("Lead")
    assignee = relationship("User")


class DeadlineState(enum.StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"


ONE_PENDING_WHERE = "state = 'pending' AND kind <> 'timer.reminder' AND lead_id IS NOT NULL"


class Deadline(TenantOwned, Timestamped, db.Model):
    """A timer: the row is the truth, the RQ job at due_at only the fast path."""

    __tablename__ = "deadlines"
    __table_args__ = (
        # The sweep asks for every pending row that is due, across workspaces.
        Index("ix_deadlines_due", "state", "due_at"),
        # The queue's earliest pending deadline per lead, read from the index alone.
        Index("ix_deadlines_lead_due", "lead_id", "state", "due_at"),
        # Reports: the timers due in a period (SLA compliance).
        Index("ix_deadlines_workspace_due", "workspace_id", "due_at"),
        # A lead has at most one pending deadline per timer (reminders: one per reminder time
        # of their timer, so they are left out).
        Index(
            "uq_deadlines_one_pending",
            "lead_id",
            "kind",
            unique=True,
            sqlite_where=text(ONE_PENDING_WHERE),
            postgresql_where=text(ONE_PENDING_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[DeadlineState] = mapped_column(
        _enum(DeadlineState), default=DeadlineState.PENDING
    )
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    job_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    lead = relationship("Lead")
