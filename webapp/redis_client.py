"""The app's Redis connection and RQ queues (jobs are enqueued by import path, never imported)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import DeferredJobRegistry, ScheduledJobRegistry

from webapp.clock import now
from webapp.ops import logs

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
    if (request_id := logs.request_id()) is not None:
        options["meta"] = {"request_id": request_id}  # the job's log lines carry it too
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
    """The ids among `job_ids` whose job will run, or is running, without help: waiting in
    the queue, scheduled for later, deferred, or started by a worker that is alive.

    The sweeps enqueue the others again and leave these alone, so that a backlog is not
    multiplied by each sweep. The job's hash alone is not trusted: a worker killed between
    taking a job off the queue and starting it leaves a hash that says `queued` for a job in
    no queue, and one killed mid-job a hash that says `started` forever. Lost too: jobs gone
    with a flushed Redis, failed ones, and scheduled ones due but not moved (the worker holding
    RQ's scheduler lock may have died, and another takes it over only minutes later).
    """
    job_ids = list(job_ids)
    if not job_ids:
        return set()
    connection = redis()
    waiting = {
        as_text(i) for i in connection.lrange(Queue(queue_name, connection=connection).key, 0, -1)
    }
    scheduled = ScheduledJobRegistry(queue_name, connection=connection).key
    deferred = DeferredJobRegistry(queue_name, connection=connection).key
    with connection.pipeline(transaction=False) as pipeline:
        for job_id in job_ids:
            pipeline.hmget(Job.key_for(job_id), "status", "worker_name")
            pipeline.zscore(scheduled, job_id)
            pipeline.zscore(deferred, job_id)
        replies = pipeline.execute()
    moment = now().timestamp()
    under_way, workers = set(), LiveWorkers(connection)
    for job_id, (status, worker), release, waits in zip(
        job_ids, replies[::3], replies[1::3], replies[2::3], strict=True
    ):
        if (
            job_id in waiting
            or (release is not None and release > moment)
            or waits is not None
            or (as_text(status) == JobStatus.STARTED and workers.alive(as_text(worker)))
        ):
            under_way.add(job_id)
    return under_way


def job_abandoned(job_id: str) -> bool:
    """True when `job_id` is known to have stopped without finishing its work: started by a
    worker that is dead, or ended (finished, failed, stopped). False when it is waiting or
    running, and when Redis no longer knows the job (then nobody can tell)."""
    connection = redis()
    status, worker = connection.hmget(Job.key_for(job_id), "status", "worker_name")
    status = as_text(status)
    if status is None:
        return False
    if status == JobStatus.STARTED:
        return not LiveWorkers(connection).alive(as_text(worker))
    return status in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def job_args(job_id: str) -> tuple[Any, ...]:
    """The arguments `job_id` was enqueued with (the job name, then its ids); () when Redis
    no longer knows the job."""
    try:
        return tuple(Job.fetch(job_id, connection=redis()).args)
    except NoSuchJobError:
        return ()


class LiveWorkers:
    """Whether the RQ worker of a given name is alive: its registration has not expired nor
    recorded its death, and, when it runs on this machine, its process exists (a SIGKILLed
    worker's registration outlives it by its heartbeat's time to live)."""

    def __init__(self, connection: Redis) -> None:
        self._connection = connection
        self._known: dict[str, bool] = {}
        self._host = socket.gethostname()

    def alive(self, name: str | None) -> bool:
        if not name:
            return False
        if name not in self._known:
            self._known[name] = self._ask(name)
        return self._known[name]

    def _ask(self, name: str) -> bool:
        host, pid, death = self._connection.hmget(
            f"{Worker.redis_worker_namespace_prefix}{name}", "hostname", "pid", "death"
        )
        if host is None or death is not None:
            return False
        if as_text(host) != self._host or not pid:
            return True  # another machine: its registration is all we can see
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # someone else's process, alive
        return True


def as_text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
