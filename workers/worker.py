"""Running RQ workers: the job queues with RQ's scheduler, plus the periodic sweep."""

from __future__ import annotations

import multiprocessing
import os

from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler

from webapp import job_names
from webapp.redis_client import JOB_ENTRY_POINT, QUEUE_NAMES
from workers import runtime

# Timers first: a late deadline costs more than a late report.
QUEUE_ORDER = ("timers", "notify", "default")
SWEEP_INTERVAL_SECONDS = int(os.environ.get("LEADLINE_SWEEP_SECONDS", "30"))

assert set(QUEUE_ORDER) == set(QUEUE_NAMES)


def _connection(app: Flask) -> Redis:
    url = app.config.get("REDIS_URL")
    if not url:
        raise RuntimeError("REDIS_URL is not set; `leadline up` starts an embedded server")
    return Redis.from_url(url)


def build_worker(app: Flask) -> SimpleWorker:
    """A worker over all queues, running jobs in `app`, in its own process.

    RQ's default Worker forks a work-horse per job: each job then starts cold (imports,
    compiled SQL, the parsed policy, a new database connection, copy-on-write faults) and
    took 100-600 ms on the 2-core machine for a 5 ms deadline, so 10,000 deadlines due in one
    minute fell minutes behind (`python -m tests.bench deadlines`). Jobs here are our own
    operations, each in a fresh app context and session, so they can share the process; RQ
    still enforces job timeouts (SIGALRM) and a killed worker's jobs are re-enqueued by the
    sweeps.
    """
    runtime.use_app(app)
    connection = _connection(app)
    queues = [Queue(name, connection=connection) for name in QUEUE_ORDER]
    return SimpleWorker(queues, connection=connection)


def run_sweeper(redis_url: str) -> None:
    """Enqueue the deadline, notification and import sweeps every SWEEP_INTERVAL_SECONDS."""
    from rq.utils import import_attribute

    scheduler = CronScheduler(connection=Redis.from_url(redis_url), name=f"sweeper-{os.getpid()}")
    scheduler.register(
        import_attribute(JOB_ENTRY_POINT),
        "timers",
        args=(job_names.DEADLINE_SWEEP,),
        interval=SWEEP_INTERVAL_SECONDS,
    )
    scheduler.register(
        import_attribute(JOB_ENTRY_POINT),
        "notify",
        args=(job_names.NOTIFICATION_SWEEP,),
        interval=SWEEP_INTERVAL_SECONDS,
    )
    scheduler.register(
        import_attribute(JOB_ENTRY_POINT),
        "default",
        args=(job_names.LEAD_IMPORT_SWEEP,),
        interval=SWEEP_INTERVAL_SECONDS,
    )
    scheduler.start()


def run(app: Flask, *, burst: bool = False, with_sweeper: bool = True) -> None:
    """Work the queues until stopped; RQ's scheduler moves jobs enqueued for later."""
    worker = build_worker(app)
    sweeper = None
    if with_sweeper and not burst:
        sweeper = multiprocessing.get_context("spawn").Process(
            target=run_sweeper,
            args=(app.config["REDIS_URL"],),
            name="leadline-sweeper",
            daemon=True,
        )
        sweeper.start()
    try:
        worker.work(with_scheduler=True, burst=burst)
    finally:
        if sweeper is not None and sweeper.is_alive():
            sweeper.terminate()
            sweeper.join(timeout=5)
