"""Running RQ workers: the job queues with RQ's scheduler, plus the periodic sweep."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler

from webapp import job_names
from webapp.ops import logs
from webapp.redis_client import JOB_ENTRY_POINT, QUEUE_NAMES
from workers import runtime

# Timers first: a late deadline costs more than a late report.
QUEUE_ORDER = ("timers", "notify", "default")
SWEEP_INTERVAL_SECONDS = int(os.environ.get("LEADLINE_SWEEP_SECONDS", "30"))
# After SIGTERM the job in hand may finish for this long; then the worker stops cold and the
# sweeps give that job to another worker (its transaction never committed).
SHUTDOWN_GRACE_SECONDS = max(2, int(os.environ.get("LEADLINE_WORKER_GRACE_SECONDS", "60")))

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
    return GracefulWorker(queues, connection=connection)


class GracefulWorker(SimpleWorker):
    """RQ's warm shutdown (SIGTERM: finish the job in hand, take no other), bounded by
    SHUTDOWN_GRACE_SECONDS: then it signals itself again, which RQ takes as a cold shutdown."""

    def handle_warm_shutdown_request(self) -> None:
        super().handle_warm_shutdown_request()
        pid = os.getpid()
        timer = threading.Timer(SHUTDOWN_GRACE_SECONDS, os.kill, args=(pid, signal.SIGTERM))
        timer.daemon = True  # a worker that stopped in time is not kept alive by it
        timer.start()


def run_sweeper(redis_url: str) -> None:
    """Enqueue the deadline, notification and import sweeps every SWEEP_INTERVAL_SECONDS."""
    from rq.utils import import_attribute

    logs.configure()  # a spawned process: it starts with no logging set up
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
