"""Tracked runs: a long job a person asked for and watches (a lead import, a policy replay;
the reports and exports to come), its state, progress and outcome on one row.

A model that mixes in `TrackedRun` gets the columns every run needs; its own state enum must
have (at least) the values of `RunState`, declared with `run_state_column()`. The operations
that move a run along are `webapp.operations.tracked_runs`; its status page polls the
`_run_progress.html` fragment, answered with `webapp.htmx_answers.poll_status`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now

from .types import UTCDateTime


class RunState(enum.StrEnum):
    """The states a run goes through once queued: queued → running → done | failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


FINISHED = (RunState.DONE, RunState.FAILED)
UNDER_WAY = (RunState.QUEUED, RunState.RUNNING)


def run_state_column(states: type[enum.Enum], default: enum.Enum) -> Mapped[Any]:
    """The `state` column of a tracked run whose enum is `states` (stored as its values)."""
    return mapped_column(
        Enum(states, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=default,
    )


class TrackedRun:
    """Progress (0-100, 100 only once done), the error of a failed run, when it was asked for,
    when it last moved (the heartbeat, which tells a slow run from a lost one) and when it
    ended. The model declares `state` with `run_state_column()`."""

    progress: Mapped[int] = mapped_column(Integer, default=0)
    progressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.state in FINISHED  # type: ignore[attr-defined]
