"""Moving a tracked run along: claim, progress (with the heartbeat), finish, fail, and the
`execute` wrapper a job's body runs in. Lead imports and policy replays use it; so should
every long job a person watches (the reports and exports to come).

To add one:

1. the model mixes in `webapp.models.tracked_run.TrackedRun` and declares
   `state = run_state_column(ItsState, ItsState.QUEUED)` (ItsState has RunState's values);
2. the operation that asks for it stores the row QUEUED, audits it and enqueues the job
   after commit (one job id per run, so asking twice does not run it twice);
3. the job calls `execute(Model, run_id, work, then)`: `work(row)` computes (it may call
   `record_progress` as it goes), `then(outcome)` stores it, usually with `finish()`;
4. its page includes `_run_progress.html` while the run is under way, and its status view
   answers with `status=poll_status(run.finished)` (webapp.htmx_answers): htmx polls the
   fragment and stops on 286.

Every change is a compare-and-set on the state, so of two runs of one job (RQ retried it, a
sweep queued it again) only one claims a finished run (none) or writes its result (the first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, true, update

from webapp.clock import now
from webapp.extensions import db
from webapp.models.tracked_run import UNDER_WAY, RunState

from .unit import operation

M = TypeVar("M")
R = TypeVar("R")
ERROR_KEPT = 2000  # characters of a failed run's error


def compare_and_set(
    model: Any, run_id: int, *states: Any, extra: ColumnElement[bool] | None = None, **values: Any
) -> bool:
    """Update the run only while it is in one of `states` (and `extra` holds); whether it was."""
    changed = db.session.execute(
        update(model)
        .where(model.id == run_id, model.state.in_(states))
        .where(extra if extra is not None else true())
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(changed)


@operation
def claim(model: Any, run_id: int) -> bool:
    """Mark the run running; False once it is done or failed, so it is not run again. A
    running run may be claimed again: its worker died and the job was queued again."""
    return compare_and_set(model, run_id, *UNDER_WAY, state=RunState.RUNNING)


@operation
def record_progress(
    model: Any, run_id: int, percent: int, *, extra: Any = None, **values: Any
) -> bool:
    """The running run's percentage (kept below 100, which `finish` writes) and heartbeat,
    with `values` the run keeps beside them (a cursor), while `extra` holds."""
    return compare_and_set(
        model,
        run_id,
        RunState.RUNNING,
        extra=extra,
        progress=max(0, min(99, percent)),
        progressed_at=now(),
        **values,
    )


@operation
def finish(model: Any, run_id: int, *, extra: Any = None, **values: Any) -> bool:
    """Mark the running run done with `values` (its result); only the first run to finish
    does, and only while `extra` holds."""
    return compare_and_set(
        model,
        run_id,
        RunState.RUNNING,
        extra=extra,
        state=RunState.DONE,
        progress=100,
        finished_at=now(),
        **values,
    )


@operation
def fail(model: Any, run_id: int, error: str) -> None:
    compare_and_set(
        model,
        run_id,
        *UNDER_WAY,
        state=RunState.FAILED,
        error=error[:ERROR_KEPT],
        finished_at=now(),
    )


def execute(
    model: type[M],
    run_id: int,
    work: Callable[[M], R],
    then: Callable[[R], bool],
    *,
    resumable: Callable[[BaseException], bool] = lambda _exc: False,
) -> bool:
    """A job's body: claim the run, `work(row)`, then `then(outcome)` (store it, queue the
    next part). False when the run is unknown, done or failed already. An error in `work`
    fails the run (after rolling back) unless `resumable(error)`, and is raised again."""
    row = db.session.get(model, run_id)
    if row is None or not claim(model, run_id):
        return False
    try:
        outcome = work(row)
    except Exception as exc:
        db.session.rollback()
        if not resumable(exc):
            fail(model, run_id, f"{type(exc).__name__}: {exc}")
        raise
    return then(outcome)
