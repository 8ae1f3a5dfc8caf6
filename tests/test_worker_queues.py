"""Delivery has its own share of every worker (issue 17 item 2): behind a backlog of timer jobs
a notification still goes out, instead of waiting for the timers to drain.

A real worker (workers.worker.run, the code `python -m workers worker` runs, in burst mode)
against the real Redis: jobs run in the worker's main thread, one at a time, so a worker
killed mid-job cannot have a second thread sending the same message.
"""

from __future__ import annotations

import signal

from rq import Queue
from rq.job import Job

from webapp import job_names, redis_client
from webapp.extensions import db
from webapp.models import Notification, NotificationState
from webapp.operations import unit
from webapp.operations.notifications import queue_message
from workers import worker

TIMER_JOBS = 20


def _burst(app) -> None:
    """One burst of the real worker; the signal handlers RQ installs are put back after."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker.run(app, burst=True)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def test_a_notification_runs_between_timer_jobs_instead_of_after_the_backlog(
    app, make_workspace, make_member, redis_conn
):
    workspace = make_workspace()
    backlog = [
        redis_client.enqueue("timers", job_names.DEADLINE_SWEEP, job_id=f"timer-{n}")
        for n in range(TIMER_JOBS)
    ]
    with unit.transaction():
        row = queue_message(
            workspace.id, make_member(workspace), "in_app", "contact_sla_missed", {}, key="k"
        )
    (delivery_job,) = Queue("notify", connection=redis_conn).get_job_ids()
    assert Queue("timers", connection=redis_conn).count == TIMER_JOBS

    _burst(app)

    db.session.expire_all()
    assert db.session.get(Notification, row.id).state == NotificationState.SENT
    jobs = {job.id: job for job in Job.fetch_many([*backlog, delivery_job], redis_conn)}
    assert all(job.get_status() == "finished" for job in jobs.values())
    delivered_at = jobs[delivery_job].started_at
    timers_after = [job_id for job_id in backlog if jobs[job_id].started_at > delivered_at]
    # Timers first, then the notification at the very next turn: not after all twenty.
    assert len(timers_after) == TIMER_JOBS - 1


def test_timers_and_notifications_take_turns_and_the_default_queue_waits_for_both(app, redis_conn):
    for n in range(3):
        redis_client.enqueue("timers", job_names.DEADLINE_SWEEP, job_id=f"timer-{n}")
        redis_client.enqueue("notify", job_names.NOTIFICATION_SWEEP, job_id=f"notify-{n}")
    redis_client.enqueue("default", job_names.LEAD_IMPORT_SWEEP, job_id="default-0")

    _burst(app)

    ids = [f"{name}-{n}" for n in range(3) for name in ("timers", "notify")]
    ids = [i.replace("timers", "timer") for i in ids] + ["default-0"]
    jobs = Job.fetch_many(ids, redis_conn)
    ran = [job.id for job in sorted(jobs, key=lambda job: job.started_at)]
    assert ran == ["timer-0", "notify-0", "timer-1", "notify-1", "timer-2", "notify-2", "default-0"]
