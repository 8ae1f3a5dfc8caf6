"""Running RQ workers: the job queues with RQ's scheduler, plus the periodic sweep.

RQ's scheduler and the sweeper (rq.cron.CronScheduler) are threads of the worker process, not
processes of their own: each process holds the whole app (about 100 MiB), and RQ forked one
for its scheduler, multiprocessing spawned one for the sweeper plus its resource tracker
(issue 17 item 5). Only the main thread may install signal handlers, so these threads install
none: the worker's own SIGTERM handling stops them through an Event.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler
from rq.scheduler import RQScheduler

from webapp import job_names
from webapp.ops import logs
from webapp.redis_client import JOB_ENTRY_POINT, QUEUE_NAMES
from workers import runtime

# Timers first: a late deadline costs more than a late report. Timers and notifications then
# take turns (GracefulWorker.reorder_queues): the default queue waits for both.
QUEUE_ORDER = ("timers", "notify", "default")
# Queues that take turns at the front after each job from one of them.
TAKING_TURNS = ("timers", "notify")
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


class ThreadedScheduler(RQScheduler):
    """RQ's scheduler (moves jobs enqueued for later onto their queues) in a thread of the
    worker. `_process` is the thread: RQ's worker restarts it, as it would the process, when it
    is not alive."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._stop_event = threading.Event()

    def start(self) -> threading.Thread:
        self._status = self.Status.STARTED
        self._stop_event.clear()
        self._process = threading.Thread(target=self._run, name="rq-scheduler", daemon=True)
        self._process.start()
        return self._process

    def request_stop(self, signum=None, frame=None) -> None:
        self._stop_requested = True
        self._stop_event.set()

    def _run(self) -> None:
        self.log.info("Scheduler for %s started in thread", ", ".join(self._queue_names))
        try:
            self.register_birth()
            while not self._stop_requested:
                if self.should_reacquire_locks:
                    self.acquire_locks()
                self.heartbeat()
                self.enqueue_scheduled_jobs()
                self._stop_event.wait(self.interval)
        except Exception:
            self.log.exception("Scheduler thread raised an exception")
            raise
        finally:
            self.stop()

    def join(self, timeout: float) -> None:
        self.request_stop()
        if isinstance(self._process, threading.Thread) and self._process.is_alive():
            self._process.join(timeout)


class GracefulWorker(SimpleWorker):
    """RQ's warm shutdown (SIGTERM: finish the job in hand, take no other), bounded by
    SHUTDOWN_GRACE_SECONDS: then it signals itself again, which RQ takes as a cold shutdown.
    RQ's scheduler runs as a thread of it (ThreadedScheduler).

    Delivery has its own share of the worker (issue 17 item 2): after a timer job the notify
    queue is asked first, after a notify job the timers queue, so a burst of due deadlines
    never holds the messages back (with timers always first, 292 of 30,000 messages had gone
    when the last of 10,000 deadlines fired). Not a thread of its own: a delivery thread let a
    killed worker send a message twice. RQ's ROUND_ROBIN strategy would hand the default
    queue (minute-long import chunks) every third turn, ahead of the timers."""

    def reorder_queues(self, reference_queue: Queue) -> None:
        if reference_queue.name not in TAKING_TURNS:
            return
        other = next(name for name in TAKING_TURNS if name != reference_queue.name)
        first = [queue for queue in self.queues if queue.name == other]
        self._ordered_queues = first + [queue for queue in self.queues if queue.name != other]

    def handle_warm_shutdown_request(self) -> None:
        super().handle_warm_shutdown_request()
        pid = os.getpid()
        timer = threading.Timer(SHUTDOWN_GRACE_SECONDS, os.kill, args=(pid, signal.SIGTERM))
        timer.daemon = True  # a worker that stopped in time is not kept alive by it
        timer.start()

    def _start_scheduler(self, burst: bool = False, logging_level: str | None = "INFO", *a, **k):
        """As RQ's, with the scheduler in a thread instead of a forked process."""
        self.scheduler = ThreadedScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if self.scheduler.acquired_locks:
            if burst:
                try:
                    self.scheduler.register_birth()
                    self.scheduler.enqueue_scheduled_jobs()
                finally:
                    self.scheduler.release_locks()
                    self.scheduler.register_death()
            else:
                self.scheduler.start()

    def stop_scheduler(self) -> None:
        if isinstance(self.scheduler, ThreadedScheduler):
            self.scheduler.join(timeout=10)


class Sweeper(CronScheduler):
    """rq.cron.CronScheduler in a thread: no signal handlers, stopped through an Event (its own
    loop sleeps with time.sleep and stops on a signal, which only the main thread receives)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stopped = threading.Event()

    def start(self) -> None:
        self.log.info("CronScheduler %s: starting in thread", self.name)
        self.register_birth()
        try:
            while not self.stopped.is_set():
                if self.enqueue_jobs():
                    self.save()  # persist the jobs' timing data to Redis
                self.heartbeat()
                self.stopped.wait(max(0.0, self.calculate_sleep_interval()))
        finally:
            self.register_death()
            self.log.info("CronScheduler %s: shutdown complete", self.name)


def build_sweeper(redis_url: str) -> Sweeper:
    """The deadline, notification and import sweeps, enqueued every SWEEP_INTERVAL_SECONDS."""
    from rq.utils import import_attribute

    name = f"sweeper-{os.getpid()}-{int(time.time())}"
    sweeper = Sweeper(connection=Redis.from_url(redis_url), name=name)
    for queue, job in (
        ("timers", job_names.DEADLINE_SWEEP),
        ("notify", job_names.NOTIFICATION_SWEEP),
        ("default", job_names.LEAD_IMPORT_SWEEP),
    ):
        sweeper.register(
            import_attribute(JOB_ENTRY_POINT), queue, args=(job,), interval=SWEEP_INTERVAL_SECONDS
        )
    return sweeper


def _sweeping(sweeper: Sweeper) -> None:
    try:
        sweeper.start()
    except Exception:
        logs.log.exception("the sweeper thread stopped")
        raise


def run(app: Flask, *, burst: bool = False, with_sweeper: bool = True) -> None:
    """Work the queues until stopped; RQ's scheduler moves jobs enqueued for later."""
    worker = build_worker(app)
    sweeper = thread = None
    if with_sweeper and not burst:
        sweeper = build_sweeper(app.config["REDIS_URL"])
        thread = threading.Thread(target=_sweeping, args=(sweeper,), name="leadline-sweeper")
        thread.daemon = True  # a cold shutdown does not wait for it
        thread.start()
    try:
        worker.work(with_scheduler=True, burst=burst)
    finally:
        if sweeper is not None:
            sweeper.stopped.set()
            thread.join(timeout=5)
