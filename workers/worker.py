"""Running RQ workers: the job queues with RQ's scheduler, plus the periodic sweep."""

from __future__ import annotations

import multiprocessing
import os

from flask import Flask
from redis import Redis
from rq import Queue, Worker
from rq.cron import CronScheduler

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


def build_worker(app: Flask) -> Worker:
    """A worker over all queues, running jobs in `app`."""
    runtime.use_app(app)
    connection = _connection(app)
    queues = [Queue(name, connection=connection) for name in QUEUE_ORDER]
    return Worker(queues, connection=connection)


def run_sweeper(redis_url: str) -> None:
    """Enqueue the deadline and notification sweeps every SWEEP_INTERVAL_SECONDS (until stopped)."""
    from rq.utils import import_attribute

    scheduler = CronScheduler(connection=Redis.from_url(redis_url), name=f"sweeper-{os.getpid()}")
    scheduler.register(
        import_attribute(JOB_ENTRY_POINT),
        "timers",
        args=("deadline.sweep",),
        interval=SWEEP_INTERVAL_SECONDS,
    )
    scheduler.register(
        import_attribute(JOB_ENTRY_POINT),
        "notify",
        args=("notification.sweep",),
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
