"""Deadlines: rows with a due time; a job at each due second fires them in batches, a sweep
catches any missed.

Firing is a compare-and-set on the row (pending → fired), so a deadline fires at most once
however many workers race for it, and never before its time. One job per deadline cost more
than the deadline's own work (issue 17: 10,000 due in a minute fell minutes behind): the job
of a due second drains every due row instead, a batch of one workspace per transaction, its
facts read once per batch (batch_facts), its audit rows in one INSERT.
"""

from __future__ import annotations

import functools
import importlib
import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rq.timeouts import JobTimeoutException
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from tenants.decisions import timers_cancelled_by
from webapp import job_names, redis_client
from webapp.audit_actions import DEADLINE_CANCELLED, DEADLINE_FIRED
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Lead, Workspace
from webapp.ops import events as ops_events
from webapp.tenancy import in_live_workspace, owned_by

from . import audit, batch_facts, policies
from .unit import after_commit, after_commit_once, operation, savepoint

log = logging.getLogger("leadline.clocks")

SWEEP_BATCH = 500
# Deadlines fired per transaction: large enough that the per-batch work (claim, facts, audit
# INSERT, commit) is shared by many, small enough that the workspace lock a batch holds (its
# reassignments need it) keeps an intake waiting a fraction of a second at most.
DRAIN_BATCH = 50
# A drain job hands over to a fresh one (at the back of the timers queue) after this long, so
# a backlog never makes one job run until RQ kills it, and, above all, so that the worker's
# turn-taking runs the messages between: with 60 s, 10,000 SLAs due in a minute sent 53 of
# their 30,000 messages by the time the last one fired.
DRAIN_SECONDS = 2.0
# A deadline whose firing failed is tried again after this long, not by every drain.
RETRY_FAILED_AFTER = timedelta(seconds=30)
# How many of the earliest due rows a batch reads to choose its workspace.
DRAIN_SCAN = 2000
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


def due_second(due_at: datetime) -> int:
    """The whole second (Unix time) the drain job for `due_at` runs at: rounded up, since RQ
    keeps whole seconds and a job released before its rows are due would find none."""
    whole = int(due_at.replace(microsecond=0).timestamp())
    return whole + 1 if due_at.microsecond else whole


def job_id_for_due(due_at: datetime) -> str:
    return drain_job_id(due_second(due_at))


def drain_job_id(second: int) -> str:
    # One stable job id per due second: re-enqueuing replaces the job instead of adding one.
    return f"deadlines-due-{second}"


def enqueue_fire_after_commit(deadline_id: int, due_at: datetime) -> None:
    """Once the current operation commits, have the job of `due_at`'s second scheduled: it
    fires deadline `deadline_id` and whatever else is due by then. Many deadlines of one
    second in one operation (an import, a batch's new timers) schedule that job once."""
    second = due_second(due_at)
    after_commit_once(("deadlines-due", second), lambda: functools.partial(_enqueue_drain, second))


def _enqueue_drain(second: int, *, now_: bool = False) -> None:
    redis_client.enqueue(
        "timers",
        job_names.DEADLINE_DRAIN,
        second,
        at=None if now_ else datetime.fromtimestamp(second, UTC),
        job_id=drain_job_id(second),
    )


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
            # The job of its due second, known before the INSERT (no UPDATE after it).
            job_id=job_id_for_due(due_at),
        )
        for kind, due_at, payload in wanted
    ]
    db.session.add_all(made)
    db.session.flush()
    tracked = tracked_deadlines(lead) if lead is not None else None
    recount = False
    for deadline in made:
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
    """Fire the deadline once if it is pending and due; returns whether this call fired it.

    The batches (`drain`) are the fast path; this one is for a deadline named by id (a job
    enqueued before batches existed, a console's button, a test)."""
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
    _run_fired(deadline, _reminders_of([deadline]))
    audit.add_many([_fired_event(deadline, now())])
    _after_fired([deadline])
    return True


@dataclass
class Batch:
    """What one batch did: how many rows it claimed, fired, and which failed (left pending)."""

    claimed: int = 0
    fired: int = 0
    failed: set[int] = field(default_factory=set)


def drain(*, budget_seconds: float = DRAIN_SECONDS) -> int:
    """Fire every deadline due by now, a batch per transaction, until none is left (rows that
    fall due meanwhile included); returns how many fired.

    A deadline whose firing fails is left pending, and drains leave it alone for
    RETRY_FAILED_AFTER (then the sweep enqueues its second's job again, as it would a lost
    one's): every due second's job would otherwise try it again, and fail again, at once.
    """
    started = time.monotonic()
    fired, failed = 0, _failed_recently()
    while True:
        batch = fire_batch(skip=failed)
        fired += batch.fired
        failed |= batch.failed
        _remember_failed(batch.failed)
        if not batch.claimed:
            return fired
        if time.monotonic() - started > budget_seconds:
            # A backlog: a fresh job carries on (at once) rather than this one running for ever.
            _enqueue_drain(due_second(now()), now_=True)
            return fired


@operation
def fire_batch(limit: int = DRAIN_BATCH, *, skip: Collection[int] = ()) -> Batch:
    """Claim up to `limit` due deadlines of one workspace and fire them in one transaction.

    Each fires in a savepoint: one that fails is rolled back alone and left pending (its id
    in `failed`), the others commit. `skip`: ids not to claim (those that failed already).
    """
    moment = now()
    workspace_id = _lock_due_workspace(moment, skip)
    if workspace_id is None:
        return Batch()
    claimed = _claim(workspace_id, moment, limit, skip)
    if not claimed:
        return Batch()
    batch = Batch(claimed=len(claimed))
    rows = db.session.scalars(
        select(Deadline)
        .where(Deadline.id.in_(claimed))
        .options(joinedload(Deadline.lead))
        .order_by(Deadline.due_at, Deadline.id)
        .execution_options(populate_existing=True)
    ).all()
    reminders = _reminders_of(rows)
    fired: list[Deadline] = []
    with batch_facts.cached():
        for deadline in rows:
            try:
                with savepoint():
                    _run_fired(deadline, reminders)
            except JobTimeoutException:
                raise  # the whole job is out of time: nothing of the batch commits
            except Exception:
                log.exception(
                    "deadline fire failed; left pending for the sweep",
                    extra={"deadline_id": deadline.id, "kind": deadline.kind},
                )
                batch.failed.add(deadline.id)
                continue
            fired.append(deadline)
    if batch.failed:
        db.session.execute(
            update(Deadline)
            .where(Deadline.id.in_(sorted(batch.failed)))
            .values(state=DeadlineState.PENDING, fired_at=None)
            .execution_options(synchronize_session=False)
        )
    refresh_next_due_many({d.lead_id for d in rows if d.kind != REMINDER} - {None})
    # Stamped as the batch ends: its fires are done, and seen once it commits, just after.
    done = now()
    audit.add_many([_fired_event(deadline, done) for deadline in fired])
    _after_fired(fired)
    batch.fired = len(fired)
    return batch


FAILED_KEY = "leadline:deadlines-failed"  # id → when its firing last failed (a sorted set)


def _failed_recently() -> set[int]:
    """The deadlines whose firing failed less than RETRY_FAILED_AFTER ago, on any worker.
    Kept in Redis: a flushed Redis forgets them, and they are tried again sooner."""
    connection = redis_client.redis()
    since = (now() - RETRY_FAILED_AFTER).timestamp()
    with connection.pipeline(transaction=False) as pipeline:
        pipeline.zremrangebyscore(FAILED_KEY, "-inf", since)
        pipeline.zrange(FAILED_KEY, 0, -1)
        _, ids = pipeline.execute()
    return {int(i) for i in ids}


def _remember_failed(deadline_ids: Collection[int]) -> None:
    if deadline_ids:
        moment = now().timestamp()
        redis_client.redis().zadd(FAILED_KEY, dict.fromkeys(map(str, deadline_ids), moment))


def _lock_due_workspace(moment: datetime, skip: Collection[int]) -> int | None:
    """The live workspace whose deadlines the next batch fires: the one with the earliest due
    row, or on PostgreSQL the first in that order that no other transaction holds, locked
    until the batch commits. Two workers then drain two workspaces side by side instead of
    one waiting for the other's lock; the batch holds it anyway once a reassignment needs it
    (assignment.lock_workspace). SQLite has one writer: the claim waits for it."""
    due = _due(moment, skip).order_by(Deadline.due_at).limit(DRAIN_SCAN).subquery()
    earliest = func.min(due.c.due_at)
    ordered = db.session.scalars(
        select(due.c.workspace_id).group_by(due.c.workspace_id).order_by(earliest)
    ).all()
    if not ordered or db.session.get_bind().dialect.name != "postgresql":
        return ordered[0] if ordered else None
    for workspace_id in ordered:
        free = db.session.scalar(
            select(Workspace.id)
            .where(Workspace.id == workspace_id)
            .with_for_update(skip_locked=True, key_share=True)  # FOR NO KEY UPDATE
        )
        if free is not None:
            return free
    # Every one is held (intakes, other batches): wait for the earliest.
    return db.session.scalar(
        select(Workspace.id).where(Workspace.id == ordered[0]).with_for_update(key_share=True)
    )


def _due(moment: datetime, skip: Collection[int]):
    query = select(Deadline.id, Deadline.workspace_id, Deadline.due_at).where(
        Deadline.state == DeadlineState.PENDING,
        Deadline.due_at <= moment,
        # An archived workspace's clocks stand still: nothing fires there.
        in_live_workspace(Deadline),
    )
    return query.where(Deadline.id.not_in(sorted(skip))) if skip else query


def _claim(workspace_id: int, moment: datetime, limit: int, skip: Collection[int]) -> list[int]:
    """Mark up to `limit` due rows of the workspace fired (compare-and-set); their ids.

    On PostgreSQL rows another batch has claimed but not committed are skipped, not waited
    for (SKIP LOCKED); the state test makes a row fire once however the batches race."""
    due = (
        _due(moment, skip)
        .with_only_columns(Deadline.id)
        .where(owned_by(Deadline, workspace_id))
        .order_by(Deadline.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(
        db.session.scalars(
            update(Deadline)
            .where(Deadline.id.in_(due.scalar_subquery()), Deadline.state == DeadlineState.PENDING)
            .values(state=DeadlineState.FIRED, fired_at=moment)
            .returning(Deadline.id)
            .execution_options(synchronize_session=False)
        )
    )


def _run_fired(deadline: Deadline, reminders: dict[int, list[Deadline]]) -> None:
    """What a claimed deadline does: its reminders end, its kind's handler runs."""
    if deadline.kind != REMINDER:
        _end_reminders(deadline, reason="timer ran out", pending=reminders.get(deadline.id, []))
    if (handler := _handler_for(deadline.payload.get("handler", deadline.kind))) is not None:
        handler(deadline)


def _fired_event(deadline: Deadline, moment: datetime) -> dict[str, Any]:
    """The deadline.fired audit row, stamped when the deadline's actions are done."""
    return {
        "workspace_id": deadline.workspace_id,
        "actor_id": None,
        "action": DEADLINE_FIRED,
        "subject_type": Deadline.__tablename__,
        "subject_id": deadline.id,
        "before": None,
        "after": {"kind": deadline.kind, "due_at": deadline.due_at.isoformat()},
        "reason": "",
        "created_at": moment,
    }


def _after_fired(fired: list[Deadline]) -> None:
    done = [(d.id, d.workspace_id, d.kind, d.due_at) for d in fired]

    def said() -> None:  # lateness: due to action committed
        # Held while the lines are said: each names its workspace, read once, not once a line.
        held = [db.session.get(Workspace, w) for w in {row[1] for row in done}]  # noqa: F841
        for row in done:
            ops_events.deadline_fired(*row)

    after_commit(said)


def refresh_next_due_many(lead_ids: Collection[int]) -> None:
    """refresh_next_due for many leads in one UPDATE."""
    if not lead_ids:
        return
    for lead_id in lead_ids:
        _untrack(lead_id)
    earliest = (
        select(func.min(Deadline.due_at))
        .where(
            Deadline.lead_id == Lead.id,
            Deadline.state == DeadlineState.PENDING,
            Deadline.kind != REMINDER,
        )
        .scalar_subquery()
    )
    db.session.execute(
        update(Lead)
        .where(Lead.id.in_(sorted(lead_ids)))
        .values(next_due_at=earliest)
        .execution_options(synchronize_session=False)
    )


def _reminders_of(timers: list[Deadline]) -> dict[int, list[Deadline]]:
    """The pending reminders of these timers, by timer id (one query for a batch)."""
    lead_ids = sorted({t.lead_id for t in timers if t.kind != REMINDER and t.lead_id is not None})
    if not lead_ids:
        return {}
    found: dict[int, list[Deadline]] = {}
    for reminder in db.session.scalars(
        select(Deadline).where(
            Deadline.lead_id.in_(lead_ids),
            Deadline.state == DeadlineState.PENDING,
            Deadline.kind == REMINDER,
        )
    ):
        found.setdefault(reminder.payload.get("parent_id"), []).append(reminder)
    return found


def _end_reminders(timer: Deadline, *, reason: str, pending: list[Deadline] | None = None) -> None:
    """Cancel the pending reminders of `timer`, which was met or ran out: none is due now.
    `pending`: its reminders, when the caller has read them already."""
    if timer.lead_id is None:
        return
    if pending is None:
        pending = _reminders_of([timer]).get(timer.id, [])
    for reminder in pending:
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
    """Enqueue the drain job of every second with a pending deadline already due whose job
    is not under way (the sweep); returns how many it enqueued."""
    due_at = db.session.scalars(
        select(Deadline.due_at)
        .where(
            Deadline.state == DeadlineState.PENDING,
            Deadline.due_at <= now(),
            in_live_workspace(Deadline),
        )
        .order_by(Deadline.due_at)
        .limit(SWEEP_BATCH)
    ).all()
    seconds = sorted({due_second(at) for at in due_at})
    under_way = redis_client.jobs_under_way("timers", map(drain_job_id, seconds))
    lost = [second for second in seconds if drain_job_id(second) not in under_way]
    for second in lost:
        _enqueue_drain(second, now_=True)
    return len(lost)
