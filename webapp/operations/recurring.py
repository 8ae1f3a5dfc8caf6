"""Workspace clocks that recur on the calendar: the roster on the 1st, the Monday cut-off,
the day's contact rounds.

Each is an ordinary deadline row without a lead (so the sweep, the compare-and-set firing and
the operations view treat it like any other), scheduled for its next occurrence under the
workspace's active policy. Firing runs the clock's handler and schedules the occurrence after
it. `ensure_scheduled` makes sure every workspace has exactly one pending row per clock its
policy enables; the deadline sweep calls it, so a new workspace, a changed policy or a lost
row is corrected within one sweep interval. A pending row that is already due when a worker
comes back is fired late rather than skipped: a missed roster is worse than a late one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tenants import Policy
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Workspace
from webapp.tenancy import owned_by, scoped

from . import deadlines, policies
from .assignment import lock_workspace
from .unit import operation

NextAt = Callable[[Policy, datetime], datetime | None]
Handler = Callable[[Workspace, Deadline], None]


@dataclass(frozen=True)
class Clock:
    kind: str
    next_at: NextAt  # the first occurrence strictly after the given instant, or None (off)
    handler: Handler


CLOCKS: dict[str, Clock] = {}
# Modules that define recurring clocks; imported before scheduling so every clock is known.
CLOCK_MODULES: tuple[str, ...] = (
    "webapp.operations.roster",  # the monthly roster (CCIMA-3)
    "webapp.operations.cadences",  # contact rounds and nurture touches (BDC-5, CPB-9)
    "webapp.operations.reporting",  # the weekly cut-off and reports (CCIMA-7, CCIMA-8)
    "webapp.reports.scheduled",  # scheduled reports (issue 15 item 6): figures, then send
)


def clock(kind: str, *, next_at: NextAt) -> Callable[[Handler], Handler]:
    """Register a recurring workspace clock: `next_at` says when, the decorated handler what."""

    def register(handler: Handler) -> Handler:
        CLOCKS[kind] = Clock(kind, next_at, handler)

        @deadlines.on_fire(kind)
        def fire(deadline: Deadline) -> None:
            workspace = db.session.get(Workspace, deadline.workspace_id)
            if workspace is None:
                return
            # Serialised with ensure_scheduled, so the next occurrence is scheduled once.
            lock_workspace(workspace.id)
            handler(workspace, deadline)
            _schedule_next(workspace, CLOCKS[kind], after=max(deadline.due_at, now()))

        return handler

    return register


def _load_clock_modules() -> None:
    for module in CLOCK_MODULES:
        importlib.import_module(module)


def _schedule_next(workspace: Workspace, entry: Clock, *, after: datetime) -> Deadline | None:
    due_at = entry.next_at(policies.active_policy(workspace), after)
    if due_at is None or _pending_row(workspace, entry.kind) is not None:
        return None  # off, or a row is already waiting (the one the clock must keep)
    return deadlines.schedule(workspace.id, entry.kind, due_at, payload={"handler": entry.kind})


def _pending_row(workspace: Workspace, kind: str) -> Deadline | None:
    return db.session.scalar(
        select(Deadline)
        .where(
            owned_by(Deadline, workspace),
            Deadline.lead_id.is_(None),
            Deadline.kind == kind,
            Deadline.state == DeadlineState.PENDING,
        )
        .limit(1)
    )


@operation
def ensure_scheduled(workspace: Workspace) -> list[Deadline]:
    """One pending row per clock the policy enables, at its next occurrence; returns new rows.

    A pending row whose time the policy no longer gives (the cut-off moved, the roster was
    switched off) is cancelled and replaced; one already due is left for the sweep to fire.
    """
    _load_clock_modules()
    if not _changes_needed(workspace):
        return []
    # Serialised with a firing clock scheduling its next occurrence: never two pending rows.
    lock_workspace(workspace.id)
    return _reconcile(workspace)


def _changes_needed(workspace: Workspace) -> bool:
    return _reconcile(workspace, dry_run=True) != []


def _reconcile(workspace: Workspace, *, dry_run: bool = False) -> list:
    policy = policies.active_policy(workspace)
    moment = now()
    pending = {
        row.kind: row
        for row in db.session.scalars(
            scoped(Deadline, workspace).where(
                Deadline.lead_id.is_(None),
                Deadline.state == DeadlineState.PENDING,
                Deadline.kind.in_(list(CLOCKS)),
            )
        )
    }
    created = []
    for kind, entry in CLOCKS.items():
        row = pending.get(kind)
        if row is not None and row.due_at <= moment:
            continue  # due: the sweep fires it, then the next occurrence is scheduled
        wanted = entry.next_at(policy, moment)
        if (row.due_at if row is not None else None) == wanted:
            continue
        if dry_run:
            created.append(kind)
            continue
        if row is not None:
            deadlines.cancel(row, reason="policy changed")
        if wanted is not None:
            created.append(
                deadlines.schedule(workspace.id, kind, wanted, payload={"handler": kind})
            )
    return created


def ensure_all() -> int:
    """ensure_scheduled for every workspace (run by the deadline sweep); rows created."""
    _load_clock_modules()
    if not CLOCKS:
        return 0
    return sum(len(ensure_scheduled(w)) for w in db.session.scalars(select(Workspace)))


# Import the clock modules once this module is complete (they import it to register).
_load_clock_modules()
