"""Deadlines: rows with a due time; a job at due_at fires them, a sweep catches any missed.

Firing is a compare-and-set on the row (pending → fired), so a deadline fires at most once
however many workers race for it, and never before its time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from tenants.decisions import timers_cancelled_by
from webapp import job_names, redis_client
from webapp.audit_actions import DEADLINE_CANCELLED, DEADLINE_FIRED
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Lead
from webapp.ops import events as ops_events
from webapp.tenancy import in_live_workspace

from . import audit, policies
from .unit import after_commit, operation

SWEEP_BATCH = 500
# A reminder is a nudge before a timer runs out, not a deadline of its own: the lead is due
# when the timer is, so reminders never set Lead.next_due_at (the queue would otherwise count
# down to the nudge), and they end with their timer (payload "parent_id"). Firing one never
# writes the lead row, so it cannot deadlock with its timer being cancelled.
REMINDER = "timer.reminder"

# What firing a deadline of a kind does, beyond marking it fired (registered by the modules
# that own those kinds, e.g. assignment's "assignment.opening").
FIRE_HANDLERS: dict[str, Callable[[Deadline], None]] = {}
# Modules that register handlers; imported on first fire so jobs need not know them.
HANDLER_MODULES = (
    "webapp.operations.assignment",
    "webapp.operations.timer_actions",
    "webapp.operations.recurring",  # and through it every recurring clock's module
    "webapp.operations.reminders",
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


# A lead stored in the current transaction (leads.create_lead) has no deadlines but those
# schedule() makes here: its next_due_at is kept in memory (no UPDATE with a subquery per
# deadline, and none at all when its INSERT already carried it) and its deadlines listed
# (the API's answer needs no query). Any SQL recount of it (a cancel) ends that.
_TRACKED = "_deadlines_tracked_in"


def track_new_lead(lead: Lead) -> None:
    """`lead` was stored in this transaction: keep its next due time in memory."""
    lead.__dict__[_TRACKED] = (db.session().get_transaction(), [])


def tracked_deadlines(lead: Lead) -> list[Deadline] | None:
    """The deadlines scheduled for `lead` in this transaction, when it was stored in it
    (track_new_lead) and nothing recounted them since; None otherwise."""
    mark = lead.__dict__.get(_TRACKED)
    if mark is None or mark[0] is not db.session().get_transaction():
        return None
    return mark[1]


def _untrack(lead_id: int) -> None:
    lead = db.session.identity_map.get(db.session.identity_key(Lead, lead_id))
    if lead is not None and lead.__dict__.pop(_TRACKED, None) is not None:
        db.session.expire(lead, ["next_due_at"])  # the UPDATE just wrote it


def refresh_next_due(lead_id: int | None) -> None:
    """Keep Lead.next_due_at the lead's earliest pending deadline (what the queue sorts by)."""
    if lead_id is None:
        return
    _untrack(lead_id)
    earliest = (
        select(func.min(Deadline.due_at))
        .where(
            Deadline.lead_id == lead_id,
            Deadline.state == DeadlineState.PENDING,
            Deadline.kind != REMINDER,
        )
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


def pending_of(lead_id: int | None, kinds: Collection[str]) -> dict[str, Deadline]:
    """The lead's pending deadline of each of `kinds` it has one of."""
    if lead_id is None or not kinds:
        return {}
    rows = db.session.scalars(
        select(Deadline).where(
            Deadline.lead_id == lead_id,
            Deadline.state == DeadlineState.PENDING,
            Deadline.kind.in_(sorted(kinds)),
        )
    )
    return {deadline.kind: deadline for deadline in rows}


@operation
def schedule(
    workspace_id: int,
    kind: str,
    due_at: datetime,
    *,
    lead: Lead | None = None,
    payload: dict[str, Any] | None = None,
) -> Deadline:
    """Create a pending deadline and, once committed, its job at `due_at`.

    A lead has at most one pending deadline of a kind (reminders aside: one per reminder
    time of their timer); the database refuses a second (uq_deadlines_one_pending), so a
    caller that may start a running timer again ends it first or leaves it be.
    """
    return schedule_many(workspace_id, [(kind, due_at, payload)], lead=lead)[0]


@operation
def schedule_many(
    workspace_id: int,
    wanted: list[tuple[str, datetime, dict[str, Any] | None]],
    *,
    lead: Lead | None = None,
) -> list[Deadline]:
    """Create the pending deadlines `wanted` ((kind, due_at, payload) each) in one INSERT,
    as schedule() does one; each gets its job at its due time once committed."""
    made = [
        Deadline(
            workspace_id=workspace_id,
            kind=kind,
            due_at=due_at,
            lead_id=lead.id if lead else None,
            payload=payload or {},
        )
        for kind, due_at, payload in wanted
    ]
    db.session.add_all(made)
    db.session.flush()
    tracked = tracked_deadlines(lead) if lead is not None else None
    recount = False
    for deadline in made:
        deadline.job_id = job_id_for(deadline.id)
        if tracked is not None:
            tracked.append(deadline)
            if deadline.kind != REMINDER and (
                lead.next_due_at is None or deadline.due_at < lead.next_due_at
            ):
                lead.next_due_at = deadline.due_at  # the same value already: no UPDATE
        elif deadline.kind != REMINDER:
            recount = True
        enqueue_fire_after_commit(deadline.id, deadline.due_at)
    if recount:
        refresh_next_due(made[0].lead_id)
    return made


def enqueue_fire_after_commit(deadline_id: int, due_at: datetime) -> None:
    """Once the current operation commits, the job that fires the deadline at `due_at`."""
    after_commit(
        lambda: redis_client.enqueue(
            "timers",
            job_names.DEADLINE_FIRE,
            deadline_id,
            at=due_at,
            job_id=job_id_for(deadline_id),
        )
    )


@operation
def cancel(deadline: Deadline, *, reason: str) -> bool:
    """Cancel a pending deadline (its condition was met); False if it already fired."""
    changed = db.session.execute(
        update(Deadline)
        .where(Deadline.id == deadline.id, Deadline.state == DeadlineState.PENDING)
        .values(state=DeadlineState.CANCELLED)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not changed:
        return False
    if deadline.kind != REMINDER:
        refresh_next_due(deadline.lead_id)
        _end_reminders(deadline, reason=reason)
    audit.record(
        deadline.workspace_id,
        DEADLINE_CANCELLED,
        deadline,
        actor=None,
        after={"kind": deadline.kind},
        reason=reason,
    )
    return True


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
            # An archived workspace's clocks stand still: nothing fires there.
            in_live_workspace(Deadline),
        )
        .values(state=DeadlineState.FIRED, fired_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    deadline = db.session.get(Deadline, deadline_id)
    db.session.refresh(deadline)
    if deadline.kind != REMINDER:
        refresh_next_due(deadline.lead_id)
        _end_reminders(deadline, reason="timer ran out")
    if (handler := _handler_for(deadline.payload.get("handler", deadline.kind))) is not None:
        handler(deadline)
    audit.record(
        deadline.workspace_id,
        DEADLINE_FIRED,
        deadline,
        actor=None,
        after={"kind": deadline.kind, "due_at": deadline.due_at.isoformat()},
    )
    fired = (deadline.id, deadline.workspace_id, deadline.kind, deadline.due_at)
    after_commit(lambda: ops_events.deadline_fired(*fired))  # lateness: due to action committed
    return True


def _end_reminders(timer: Deadline, *, reason: str) -> None:
    """Cancel the pending reminders of `timer`, which was met or ran out: none is due now."""
    if timer.lead_id is None:
        return
    pending = db.session.scalars(
        select(Deadline).where(
            Deadline.lead_id == timer.lead_id,
            Deadline.state == DeadlineState.PENDING,
            Deadline.kind == REMINDER,
        )
    )
    for reminder in pending.all():
        if reminder.payload.get("parent_id") == timer.id:
            cancel(reminder, reason=reason)


@operation
def cancel_for_event(
    lead: Lead, events: Collection[str], at: datetime, *, reason: str
) -> list[Deadline]:
    """Cancel the lead's pending timers that `events`, happening `at`, satisfy (cancelled_by).

    A timer already run out by `at` was missed, not met: it stays and fires.
    """
    policy = policies.active_policy(lead.workspace)
    satisfied = set().union(*(timers_cancelled_by(policy, event) for event in events))
    if not satisfied:
        return []
    pending = db.session.scalars(
        select(Deadline).where(
            Deadline.lead_id == lead.id,
            Deadline.state == DeadlineState.PENDING,
            Deadline.kind.in_(satisfied),
            Deadline.due_at > at,
        )
    ).all()
    return [deadline for deadline in pending if cancel(deadline, reason=reason)]


@operation
def close_clocks(lead: Lead, *, reason: str) -> None:
    """A closed lead has nothing left to be late for: cancel its pending deadlines."""
    pending = db.session.scalars(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.state == DeadlineState.PENDING)
    ).all()
    for deadline in pending:
        cancel(deadline, reason=reason)


def enqueue_due() -> int:
    """Enqueue a fire job for every pending deadline already due whose job is not under way
    (the sweep); returns how many it enqueued."""
    due_ids = db.session.scalars(
        select(Deadline.id)
        .where(
            Deadline.state == DeadlineState.PENDING,
            Deadline.due_at <= now(),
            in_live_workspace(Deadline),
        )
        .order_by(Deadline.due_at)
        .limit(SWEEP_BATCH)
    ).all()
    under_way = redis_client.jobs_under_way("timers", map(job_id_for, due_ids))
    lost = [i for i in due_ids if job_id_for(i) not in under_way]
    for deadline_id in lost:
        redis_client.enqueue(
            "timers", job_names.DEADLINE_FIRE, deadline_id, job_id=job_id_for(deadline_id)
        )
    return len(lost)
