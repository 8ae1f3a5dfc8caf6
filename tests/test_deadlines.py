"""Deadlines are rows; a real RQ worker fires them once, never early (ALL-4)."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from tests.support import BurstWorker
from webapp.clock import now
from webapp.extensions import db
from webapp.models import AuditEvent, Deadline, DeadlineState
from webapp.operations import deadlines
from workers import runtime


def _work(redis_conn) -> None:
    """Run every queued job with a real worker, in this process, until the queues are empty."""
    queues = [Queue(name, connection=redis_conn) for name in ("timers", "notify", "default")]
    BurstWorker(queues, connection=redis_conn).work(burst=True)


def _reload(deadline_id: int) -> Deadline:
    db.session.expire_all()
    return db.session.get(Deadline, deadline_id)


def test_scheduling_a_deadline_schedules_its_seconds_job_at_due_time(make_workspace, redis_conn):
    # One job per due second, not per deadline (issue 17): it fires whatever is due then.
    workspace = make_workspace()
    due = now() + timedelta(minutes=10)
    deadline = deadlines.schedule(workspace.id, "sla", due)
    deadlines.schedule(workspace.id, "other", due)  # the same second: the same job
    registry = ScheduledJobRegistry("timers", connection=redis_conn)
    assert registry.get_job_ids() == [deadlines.job_id_for_due(due)] == [deadline.job_id]
    assert abs(registry.get_scheduled_time(deadline.job_id).timestamp() - due.timestamp()) < 1


def test_deadline_fires_once_when_due_and_is_audited(make_workspace, redis_conn):
    workspace = make_workspace()
    deadline = deadlines.schedule(workspace.id, "sla", now() + timedelta(minutes=10))
    with time_machine.travel(now() + timedelta(minutes=11), tick=False):
        runtime.perform("deadline.fire", deadline.id)
        runtime.perform("deadline.fire", deadline.id)  # a second worker, a retried job
        fired = _reload(deadline.id)
    assert fired.state == DeadlineState.FIRED
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "deadline.fired", AuditEvent.subject_id == deadline.id
        )
    )
    assert events == 1


def test_deadline_never_fires_early(make_workspace):
    workspace = make_workspace()
    deadline = deadlines.schedule(workspace.id, "sla", now() + timedelta(minutes=10))
    # RQ may start a scheduled job a little before its time: the row's due_at decides.
    with time_machine.travel(now() + timedelta(minutes=9, seconds=59), tick=False):
        assert runtime.perform("deadline.fire", deadline.id) is False
    assert _reload(deadline.id).state == DeadlineState.PENDING


def test_cancelled_deadline_does_not_fire(make_workspace):
    workspace = make_workspace()
    deadline = deadlines.schedule(workspace.id, "sla", now() + timedelta(minutes=10))
    assert deadlines.cancel(deadline, reason="contact logged") is True
    with time_machine.travel(now() + timedelta(hours=1), tick=False):
        assert runtime.perform("deadline.fire", deadline.id) is False
    assert _reload(deadline.id).state == DeadlineState.CANCELLED


def test_sweep_recovers_deadlines_whose_jobs_were_lost(make_workspace, redis_conn):
    workspace = make_workspace()
    ids = [
        deadlines.schedule(workspace.id, "sla", now() + timedelta(minutes=m)).id
        for m in (5, 10, 60)
    ]
    redis_conn.flushdb()  # Redis restarted empty: every scheduled job is gone
    with time_machine.travel(now() + timedelta(minutes=15), tick=False):
        assert runtime.perform("deadline.sweep") == 2
        _work(redis_conn)
        states = [_reload(i).state for i in ids]
    assert states == [DeadlineState.FIRED, DeadlineState.FIRED, DeadlineState.PENDING]


def test_rolled_back_operation_schedules_no_job(make_workspace, redis_conn):
    from webapp.operations.unit import transaction

    workspace = make_workspace()
    try:
        with transaction():
            deadlines.schedule(workspace.id, "sla", now() + timedelta(minutes=5))
            raise RuntimeError("the operation failed after scheduling")
    except RuntimeError:
        pass
    assert db.session.scalar(select(func.count(Deadline.id))) == 0
    assert ScheduledJobRegistry("timers", connection=redis_conn).count == 0


def test_a_leads_queue_position_follows_its_earliest_pending_deadline(make_workspace, make_lead):
    from webapp.models import Lead
    from webapp.operations import leads

    workspace = make_workspace()
    lead = make_lead(workspace)
    soon = deadlines.schedule(workspace.id, "a", now() + timedelta(minutes=5), lead=lead)
    later = deadlines.schedule(workspace.id, "b", now() + timedelta(minutes=50), lead=lead)

    def position():
        db.session.expire_all()
        return db.session.get(Lead, lead.id).next_due_at

    assert position() == soon.due_at
    deadlines.cancel(soon, reason="contact")
    assert position() == later.due_at
    leads.set_status(db.session.get(Lead, lead.id), "lost", actor=None)  # terminal: clocks stop
    assert position() is None
    assert _reload(later.id).state == DeadlineState.CANCELLED
