"""The app's Redis connection and RQ queues (jobs are enqueued by import path, never imported)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

from webapp.clock import now

QUEUE_NAMES = ("default", "timers", "notify")
JOB_ENTRY_POINT = "workers.runtime.perform"


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["leadline_redis"] = Redis.from_url(url) if url else None


def redis() -> Redis:
    """The app's Redis; `leadline up` and the test suite always provide one."""
    connection = current_app.extensions.get("leadline_redis")
    if connection is None:
        raise RuntimeError(
            "REDIS_URL is not set: start Leadline with `leadline up` (it runs an embedded "
            "server) or point REDIS_URL at a Redis server"
        )
    return connection


def queue(name: str) -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}; queues are {', '.join(QUEUE_NAMES)}")
    return Queue(name, connection=redis())


def enqueue(
    queue_name: str,
    job_name: str,
    *ids: Any,
    at: datetime | None = None,
    job_id: str | None = None,
    timeout: int | None = None,
) -> str:
    """Enqueue registered job `job_name` with ids only; returns the RQ job id. `timeout`
    (seconds) replaces RQ's default of 180 for a job sized to take longer."""
    target = queue(queue_name)
    options: dict[str, Any] = {"job_id": job_id}
    if timeout is not None:
        options["job_timeout"] = timeout
    if at is not None:
        job = target.enqueue_at(_whole_second_after(at), JOB_ENTRY_POINT, job_name, *ids, **options)
    else:
        job = target.enqueue(JOB_ENTRY_POINT, job_name, *ids, **options)
    return job.id


def _whole_second_after(at: datetime) -> datetime:
    """`at` rounded up to a whole second.

    RQ keeps a scheduled job's time in whole seconds, dropping the fraction, so a job for
    12:00:05.8 could run at 12:00:05. The clock jobs refuse to act before their row is due
    (never early), so such a job did nothing and its deadline waited for the next sweep.
    """
    whole = at.replace(microsecond=0)
    return whole if whole == at else whole + timedelta(seconds=1)


def jobs_under_way(queue_name: str, job_ids: Iterable[str]) -> set[str]:
    """The ids among `job_ids` whose job will run without help: waiting in the queue, or
    scheduled for later. The sweeps enqueue the others again (lost with a flushed Redis, failed,
    abandoned by a dead worker, or due but not moved: the worker holding RQ's scheduler lock may
    have died, and another takes it over only minutes later) and leave these alone, so that a
    backlog is not multiplied by each sweep."""
    job_ids = list(job_ids)
    connection = redis()
    scheduled = ScheduledJobRegistry(queue_name, connection=connection).key
    with connection.pipeline(transaction=False) as pipeline:
        for job_id in job_ids:
            pipeline.hget(Job.key_for(job_id), "status")
            pipeline.zscore(scheduled, job_id)
        replies = pipeline.execute()
    moment = now().timestamp()
    under_way = set()
    for job_id, status, release in zip(job_ids, replies[::2], replies[1::2], strict=True):
        status = status.decode() if status else None
        if status == JobStatus.QUEUED or (
            status == JobStatus.SCHEDULED and release is not None and release > moment
        ):
            under_way.add(job_id)
    return under_way
