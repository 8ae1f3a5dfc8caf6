"""Recurring workspace clocks: one pending row per clock, fired once, the next one scheduled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Deadline, DeadlineState
from webapp.operations import deadlines, recurring

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
fired: list[datetime] = []


def _hourly(policy, after: datetime) -> datetime | None:
    return after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


@pytest.fixture
def hourly_clock():
    """A clock that fires on the hour, registered for this test only."""
    fired.clear()
    recurring.clock("test.hourly", next_at=_hourly)(
        lambda ws, deadline: fired.append(deadline.due_at)
    )
    yield "test.hourly"
    recurring.CLOCKS.pop("test.hourly")
    deadlines.FIRE_HANDLERS.pop("test.hourly")


def _rows(workspace, kind):
    return db.session.scalars(
        select(Deadline)
        .where(Deadline.workspace_id == workspace.id, Deadline.kind == kind)
        .order_by(Deadline.due_at)
    ).all()


def test_one_pending_row_per_workspace_however_often_ensured(make_workspace, hourly_clock):
    first, second = make_workspace(slug="one"), make_workspace(slug="two")
    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        assert recurring.ensure_all() == 2
        assert recurring.ensure_all() == 0
    for workspace in (first, second):
        (row,) = _rows(workspace, hourly_clock)
        assert row.state == DeadlineState.PENDING
        assert row.due_at == START + timedelta(hours=1)
        assert row.lead_id is None


def test_firing_runs_the_handler_once_and_schedules_the_next(make_workspace, hourly_clock):
    workspace = make_workspace()
    with time_machine.travel(START, tick=False):
        recurring.ensure_scheduled(workspace)
    (row,) = _rows(workspace, hourly_clock)
    with time_machine.travel(START + timedelta(hours=1, seconds=1), tick=False):
        assert deadlines.fire(row.id) is True
        assert deadlines.fire(row.id) is False
        assert recurring.ensure_all() == 0
    assert fired == [START + timedelta(hours=1)]
    rows = _rows(workspace, hourly_clock)
    assert [r.state for r in rows] == [DeadlineState.FIRED, DeadlineState.PENDING]
    assert rows[1].due_at == START + timedelta(hours=2)


def test_a_row_due_while_workers_were_down_fires_late_not_never(make_workspace, hourly_clock):
    workspace = make_workspace()
    with time_machine.travel(START, tick=False):
        recurring.ensure_scheduled(workspace)
    # Three hours later nothing has run: the due row is kept (not replaced by a later one).
    with time_machine.travel(START + timedelta(hours=3, minutes=5), tick=False):
        assert recurring.ensure_all() == 0
        (row,) = _rows(workspace, hourly_clock)
        assert deadlines.fire(row.id) is True
    assert fired == [START + timedelta(hours=1)]
    assert _rows(workspace, hourly_clock)[-1].due_at == START + timedelta(hours=4)


def test_two_rows_of_one_clock_collapse_to_one_after_firing(make_workspace, hourly_clock):
    workspace = make_workspace()
    with time_machine.travel(START, tick=False):
        recurring.ensure_scheduled(workspace)
        # A stray second row (say, restored from a backup) for the same hour.
        deadlines.schedule(
            workspace.id,
            hourly_clock,
            START + timedelta(hours=1),
            payload={"handler": hourly_clock},
        )
    with time_machine.travel(START + timedelta(hours=1, seconds=1), tick=False):
        for row in _rows(workspace, hourly_clock):
            deadlines.fire(row.id)
    pending = [r for r in _rows(workspace, hourly_clock) if r.state == DeadlineState.PENDING]
    assert [r.due_at for r in pending] == [START + timedelta(hours=2)]
