"""Deadlines: rows with a due time; a job at due_at fires them, a sweep catches any missed.

Firing is a compare-and-set on the row (pending → fired), so a deadline fires at most once
however many workers race for it, and never before its time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from webapp import redis_client
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Lead

from . import audit
from .unit import after_commit, operation

SWEEP_BATCH = 500

# What firing a deadline of a kind does, beyond marking it fired (registered by the modules
# that own those kinds, e.g. assignment's "assignment.opening").
FIRE_HANDLERS: dict[str, Callable[[Deadline], None]] = {}
# Modules that register handlers; imported on first fire so jobs need not know them.
HANDLER_MODULES = (
    "webapp.operations.assignment",
    "webapp.operations.timer_actions",
    "webapp.operations.recurring",  # and through it every recurring clock's module
)


def on_fire(kind: str) -> Callable[[Callable[[Deadline], None]], Callable[[Deadline], None]]:
    """Register what firing a deadline of `kind` does."""

    def register(handler: Callable[[Deadline], None]) -> Callable[[Deadline], None]:
        FIRE_HANDLERS[kind] = handler
        return handler

    return register


def _handler_for(kind: str) -> Callable[[Deadline], None] | None:
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    return FIRE_HANDLERS.get(kind)


def refresh_next_due(lead_id: int | None) -> None:
    """Keep Lead.next_due_at the lead's earliest pending deadline (what the queue sorts by)."""
    if lead_id is None:
        return
    earliest = (
        select(func.min(Deadline.due_at))
        .where(Deadline.lead_id == lead_id, Deadline.state == DeadlineState.PENDING)
        .scalar_subquery()
    )
    db.session.execute(
        update(Lead)
        .where(Lead.id == lead_id)
        .values(next_due_at=earliest)
        .execution_options(synchronize_session=False)
    )


def job_id_for(deadline_id: int) -> str:
    # One stable job id per deadline: re-enqueuing replaces the job instead of adding one.
    return f"deadline-{deadline_id}"


@operation
def schedule(
    workspace_id: int,
    kind: str,
    due_at: datetime,
    *,
    lead: Lead | None = None,
    payload: dict[str, Any] | None = None,
) -> Deadline:
    """Create a pending deadline and, once committed, its job at `due_at`."""
    deadline = Deadline(
        workspace_id=workspace_id,
        kind=kind,
        due_at=due_at,
        lead_id=lead.id if lead else None,
        payload=payload or {},
    )
    db.session.add(deadline)
    db.session.flush()
    deadline.job_id = job_id_for(deadline.id)
    refresh_next_due(deadline.lead_id)
    deadline_id = deadline.id
    after_commit(
        lambda: redis_client.enqueue(
            "timers", "deadline.fire", deadline_id, at=due_at, job_id=job_id_for(deadline_id)
        )
    )
    return deadline


@operation
def cancel(deadline: Deadline, *, reason: str) -> bool:
    """Cancel a pending deadline (its condition was met); False if it already fired."""
    changed = db.session.execute(
        update(Deadline)
        .where(Deadline.id == deadline.id, Deadline.state == DeadlineState.PENDING)
        .values(state=DeadlineState.CANCELLED)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if changed:
        refresh_next_due(deadline.lead_id)
        audit.record(
            deadline.workspace_id,
            "deadline.cancelled",
            deadline,
            actor=None,
            after={"kind": deadline.kind},
            reason=reason,
        )
    return bool(changed)


@operation
def fire(deadline_id: int) -> bool:
    """Fire the deadline once if it is pending and due; returns whether this call fired it."""
    moment = now()
    claimed = db.session.execute(
        update(Deadline)
        .where(
            Deadline.id == deadline_id,
            Deadline.state == DeadlineState.PENDING,
            Deadline.due_at <= moment,
        )
        .values(state=DeadlineState.FIRED, fired_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    deadline = db.session.get(Deadline, deadline_id)
    db.session.refresh(deadline)
    refresh_next_due(deadline.lead_id)
    if (handler := _handler_for(deadline.payload.get("handler", deadline.kind))) is not None:
        handler(deadline)
    audit.record(
        deadline.workspace_id,
        "deadline.fired",
        deadline,
        actor=None,
        after={"kind": deadline.kind, "due_at": deadline.due_at.isoformat()},
    )
    return True


@operation
def close_clocks(lead: Lead, *, reason: str) -> None:
    """A closed lead has nothing left to be late for: cancel its pending deadlines."""
    pending = db.session.scalars(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.state == DeadlineState.PENDING)
    ).all()
    for deadline in pending:
        cancel(deadline, reason=reason)


def enqueue_due() -> int:
    """Enqueue a fire job for every pending deadline already due (the sweep)."""
    due_ids = db.session.scalars(
        select(Deadline.id)
        .where(Deadline.state == DeadlineState.PENDING, Deadline.due_at <= now())
        .order_by(Deadline.due_at)
        .limit(SWEEP_BATCH)
    ).all()
    for deadline_id in due_ids:
        redis_client.enqueue("timers", "deadline.fire", deadline_id, job_id=job_id_for(deadline_id))
    return len(due_ids)
