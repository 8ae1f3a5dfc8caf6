"""The clocks under faults, with real worker processes (ALL-4): a worker killed while it fires,
Redis emptied, two workers racing, everything restarted. Whatever happens, every deadline fires
exactly once and every notification it causes reaches the (local) WhatsApp API exactly once.

Deadlines are made due in the past, so nothing waits for a clock: each test polls for what it
expects to see, with a generous timeout. The workers sweep every second (LEADLINE_SWEEP_SECONDS).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, select

from tenants.profiles import load_profile
from tests import support
from tests.support import BurstWorker
from webapp.clock import now
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    ChannelSettings,
    Deadline,
    DeadlineState,
    Notification,
    NotificationState,
    Role,
)
from webapp.operations import deadlines, leads
from webapp.redis_client import LiveWorkers

REPO_ROOT = Path(__file__).resolve().parents[1]
TIMER = "follow_up_sla"
# A deadline kind whose firing calls a local HTTP endpoint inside the firing transaction:
# the endpoint holds the first call, so the test knows the worker is mid-fire when it kills it.
HOOK_KIND = "clock_faults.hook"
HOOK_URL_VARIABLE = "CLOCK_FAULTS_HOOK_URL"
PATIENCE = 45.0  # seconds a poll may take before the test fails; polls end as soon as it is so
PHONE_NUMBER_ID = "1055"


# --- a worker process ------------------------------------------------------------------------


def run_worker() -> None:
    """Entry point of a worker process that also knows HOOK_KIND (as `leadline worker`)."""
    from webapp import create_app
    from workers import worker

    deadlines.on_fire(HOOK_KIND)(_call_hook)
    app = create_app()
    with app.app_context():
        worker.run(app)


def _call_hook(deadline: Deadline) -> None:
    body = json.dumps({"deadline_id": deadline.id}).encode()
    request = urllib.request.Request(os.environ[HOOK_URL_VARIABLE], data=body, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


class WorkerProcess:
    """`leadline worker` (with its scheduler and sweeper) in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        command = (
            [sys.executable, "-c", "from tests.test_clock_faults import run_worker; run_worker()"]
            if HOOK_URL_VARIABLE in env
            else [sys.executable, "-m", "workers", "worker"]
        )
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Warm shutdown (SIGTERM): the current job finishes, the sweeper is stopped with it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the worker (mid-job), its scheduler and its sweeper at once, as a crash."""
        family = _descendants(self.process.pid)
        self.process.kill()
        for pid in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *_descendants(int(child))]
    return found


@pytest.fixture
def start_worker(app, redis_url, tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start worker processes on the test's database and Redis; all are stopped afterwards."""
    started: list[WorkerProcess] = []
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LEADLINE_SWEEP_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }

    def start(*, hook_url: str | None = None) -> WorkerProcess:
        """`leadline worker`; with `hook_url`, one that also fires HOOK_KIND deadlines."""
        extra = {HOOK_URL_VARIABLE: hook_url} if hook_url else {}
        worker = WorkerProcess({**env, **extra}, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:  # all at once: each finishes its job while the others do
        if worker.process.poll() is None:
            worker.process.terminate()
    for worker in started:
        worker.stop()
    db.session.remove()


# --- a local WhatsApp Cloud API (and the hook endpoint) --------------------------------------


class Capture:
    """Records every message posted to it; holds the first hook call until `release()`."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.hook_calls: list[int] = []
        self.hook_answered: list[int] = []
        self.hook_arrived = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self.held_messages = 0
        self.message_held = threading.Event()
        self._hold_next_message = False
        self._message_released = threading.Event()
        self._server = support.JsonPostServer(self._receive, self._answered)
        self.url = self._server.url

    def _receive(self, path: str, body: dict) -> dict:
        if path == "/hook":
            self._hook(body["deadline_id"])
            return {"ok": True}
        with self._lock:
            held, self._hold_next_message = self._hold_next_message, False
            if not held:
                self.messages.append(body)
                return {"messages": [{"id": f"wamid.{len(self.messages)}"}]}
            self.held_messages += 1
        # Held unanswered while the test kills its sender: never accepted, so not recorded.
        self.message_held.set()
        self._message_released.wait(timeout=PATIENCE)
        return {"error": {"message": "the caller is gone"}}

    def _hook(self, deadline_id: int) -> None:
        with self._lock:
            self.hook_calls.append(deadline_id)
            first = len(self.hook_calls) == 1
        if first:  # hold the first firing inside its transaction until the test releases it
            self.hook_arrived.set()
            self._released.wait(timeout=PATIENCE)

    def _answered(self, path: str, body: dict) -> None:
        if path == "/hook":
            with self._lock:
                self.hook_answered.append(body["deadline_id"])

    def release(self) -> None:
        self._released.set()

    def hold_next_message(self) -> None:
        """Hold the next message posted (a sender mid-delivery) until `release_message()`."""
        with self._lock:
            self.message_held.clear()
            self._message_released.clear()
            self._hold_next_message = True

    def release_message(self) -> None:
        self._message_released.set()

    def leads_told(self) -> Counter[int]:
        """How many messages each lead's notification produced (its link names the lead)."""
        with self._lock:
            bodies = [m["text"]["body"] for m in self.messages]
        return Counter(int(re.search(r"/leads/(\d+)", body).group(1)) for body in bodies)

    def close(self) -> None:
        self.release()
        self.release_message()
        self._server.close()


@pytest.fixture
def capture() -> Iterator[Capture]:
    server = Capture()
    yield server
    server.close()


# --- the department and its deadlines ------------------------------------------------------


def _policy() -> dict:
    """A blank policy with one wall-clock timer that tells the assignee on WhatsApp."""
    document = load_profile("blank")
    document["timers"] = [
        {
            "name": TIMER,
            "starts_on": "lead.assigned",
            "duration": "1h",
            "clock": "wall",
            "actions": [
                {
                    "kind": "notify",
                    "roles": ["assignee"],
                    "channels": ["whatsapp"],
                    "template": "contact_sla_missed",
                },
                {"kind": "flag_breach", "flag": "follow_up_breach"},
            ],
        }
    ]
    return document


@pytest.fixture
def department(make_workspace, make_member, capture):
    workspace = make_workspace(policy_document=_policy())
    agent = make_member(workspace, Role.AGENT, phone="+1 415 555 0100")
    db.session.add(
        ChannelSettings(
            workspace_id=workspace.id,
            channel="whatsapp",
            base_url=capture.url,
            enabled=True,
            phone_number_id=PHONE_NUMBER_ID,
            token="wa-token",
        )
    )
    db.session.commit()
    return workspace, agent


def _overdue_deadlines(department, count: int) -> list[int]:
    """`count` leads assigned two hours ago: each one's 1 h timer is overdue by an hour."""
    workspace, agent = department
    received = now() - timedelta(hours=2)
    lead_ids = [
        leads.create_lead(
            workspace, contact_name=f"Contact {n}", actor=None, owner=agent, received_at=received
        ).id
        for n in range(count)
    ]
    ids = db.session.scalars(
        select(Deadline.id).where(Deadline.lead_id.in_(lead_ids), Deadline.kind == TIMER)
    ).all()
    assert len(ids) == count
    return list(ids)


# --- what must hold ------------------------------------------------------------------------


def _poll(condition: Callable[[], bool], what: str, *logs: WorkerProcess) -> None:
    give_up = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > give_up:
            tails = "\n".join(worker.log()[-3000:] for worker in logs)
            pytest.fail(f"not within {PATIENCE:.0f} s: {what}\n{tails}", pytrace=False)
        time.sleep(0.1)  # polling for the workers' result, not waiting for a clock


def _fired_events(deadline_ids: list[int]) -> Counter[int]:
    db.session.rollback()  # a fresh snapshot each time (PostgreSQL)
    rows = db.session.scalars(
        select(AuditEvent.subject_id).where(
            AuditEvent.action == "deadline.fired",
            AuditEvent.subject_type == Deadline.__tablename__,
            AuditEvent.subject_id.in_(deadline_ids),
        )
    ).all()
    return Counter(rows)


def _pending(deadline_ids: list[int]) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count(Deadline.id)).where(
            Deadline.id.in_(deadline_ids), Deadline.state == DeadlineState.PENDING
        )
    )


def _quiet(redis: Redis) -> bool:
    """No fire or delivery job waiting or running (the periodic sweeps do not count)."""
    workers = LiveWorkers(redis)
    for name in ("timers", "notify"):
        ids = Queue(name, connection=redis).get_job_ids()
        ids += StartedJobRegistry(name, connection=redis).get_job_ids(cleanup=False)
        for job in Job.fetch_many(ids, connection=redis):
            if job is None or str(job.args[0]).endswith(".sweep"):
                continue
            status = job.get_status(refresh=False)
            # A killed execution stays in the started registry, its worker dead.
            if status == JobStatus.QUEUED or (
                status == JobStatus.STARTED and workers.alive(job.worker_name)
            ):
                return False
    return True


def assert_each_fired_once_and_told_once(
    deadline_ids: list[int], capture: Capture, redis: Redis, *workers: WorkerProcess
) -> None:
    """Every deadline fired exactly once; its one message reached WhatsApp exactly once."""
    _poll(lambda: _pending(deadline_ids) == 0, "every deadline fired", *workers)
    _poll(
        lambda: len(capture.messages) >= len(deadline_ids),
        f"{len(deadline_ids)} messages delivered (have {len(capture.messages)})",
        *workers,
    )
    # Duplicates would come from jobs still queued or running: let them all run first.
    _poll(lambda: _quiet(redis), "the queues drained", *workers)
    fired = _fired_events(deadline_ids)
    assert sorted(fired) == sorted(deadline_ids)
    assert set(fired.values()) == {1}, {i: n for i, n in fired.items() if n != 1}
    rows = db.session.execute(
        select(Notification.payload, Notification.state, Notification.idempotency_key)
    ).all()
    lead_of = dict(
        db.session.execute(
            select(Deadline.id, Deadline.lead_id).where(Deadline.id.in_(deadline_ids))
        ).all()
    )
    assert sorted(row.payload["lead_id"] for row in rows) == sorted(lead_of.values())
    assert {row.state for row in rows} == {NotificationState.SENT}
    assert len({row.idempotency_key for row in rows}) == len(rows)
    told = capture.leads_told()
    assert sorted(told) == sorted(lead_of.values())
    assert set(told.values()) == {1}, {lead: n for lead, n in told.items() if n != 1}


# --- the faults ------------------------------------------------------------------------------


def test_a_worker_killed_mid_fire_leaves_the_deadline_pending_and_a_new_worker_fires_it_once(
    department, capture, start_worker, redis_conn
):
    workspace, _agent = department
    hooked = deadlines.schedule(workspace.id, HOOK_KIND, now() - timedelta(minutes=5)).id
    others = _overdue_deadlines(department, 20)
    first = start_worker(hook_url=f"{capture.url}/hook")
    _poll(capture.hook_arrived.is_set, "the worker is firing the hooked deadline", first)

    first.kill()  # the worker, its work-horse (mid-transaction) and its sweeper
    assert capture.hook_answered == []  # the firing never got its answer
    # The claim (pending → fired) was never committed: the row is still pending.
    assert _pending([hooked]) == 1
    capture.release()

    second = start_worker(hook_url=f"{capture.url}/hook")
    started = time.monotonic()
    _poll(lambda: _pending([hooked]) == 0, "the new worker fired the hooked deadline", second)
    recovered_in = time.monotonic() - started
    assert_each_fired_once_and_told_once(others, capture, redis_conn, second)
    assert _fired_events([hooked]) == {hooked: 1}
    assert capture.hook_calls == [hooked, hooked]  # once killed, once for real
    # Worker start-up plus one sweep interval, with room for a slow machine.
    assert recovered_in < 30, recovered_in


def test_workers_killed_mid_delivery_leave_no_message_stranded_and_send_each_once(
    department, capture, start_worker, redis_conn
):
    """ALL-4, issue 10 item 10: three workers are SIGKILLed each while a message is on its way
    to WhatsApp (the local API holds it unanswered); the sweep of the next worker sees that
    the job which claimed it died with its worker and sends it again at once, without
    waiting out the claim; every message reaches the API exactly once."""
    deadline_ids = _overdue_deadlines(department, 30)
    for kill in range(3):
        capture.hold_next_message()
        worker = start_worker()
        _poll(capture.message_held.is_set, f"kill {kill + 1}: a message is on its way", worker)
        worker.kill()
        capture.release_message()
    assert capture.held_messages == 3
    stranded = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.state == NotificationState.SENDING)
    )
    assert stranded >= 1  # the last one killed is claimed by a dead worker
    last = start_worker()
    started = time.monotonic()
    assert_each_fired_once_and_told_once(deadline_ids, capture, redis_conn, last)
    assert time.monotonic() - started < PATIENCE  # not the 5 minutes of a claim's timeout


def test_flushed_redis_loses_no_deadline(department, capture, start_worker, redis_conn):
    deadline_ids = _overdue_deadlines(department, 30)
    redis_conn.flushdb()  # Redis restarted empty: every scheduled fire job is gone
    worker = start_worker()
    assert_each_fired_once_and_told_once(deadline_ids, capture, redis_conn, worker)


def test_two_workers_fire_200_deadlines_each_once(department, capture, start_worker, redis_conn):
    deadline_ids = _overdue_deadlines(department, 200)
    workers = [start_worker(), start_worker()]
    assert_each_fired_once_and_told_once(deadline_ids, capture, redis_conn, *workers)


def test_deadlines_due_while_everything_was_stopped_fire_once_after_restart(
    department, capture, start_worker, redis_conn
):
    before = _overdue_deadlines(department, 10)
    worker = start_worker()
    assert_each_fired_once_and_told_once(before, capture, redis_conn, worker)
    worker.stop()  # worker, scheduler and sweeper

    during = _overdue_deadlines(department, 20)  # fell due while nothing ran
    restarted = start_worker()
    assert_each_fired_once_and_told_once(before + during, capture, redis_conn, restarted)


def test_a_fire_job_is_never_released_before_its_deadline_is_due(make_workspace, redis_conn):
    # RQ keeps whole seconds: a job for 12:00:05.8 stored as 12:00:05 ran early, was refused
    # (never early) and the deadline waited a whole sweep interval.
    workspace = make_workspace()
    due = (now() + timedelta(minutes=10)).replace(microsecond=800_000)
    deadline = deadlines.schedule(workspace.id, "sla", due)
    registry = ScheduledJobRegistry("timers", connection=redis_conn)
    released_at = registry.get_scheduled_time(deadline.job_id)
    assert due <= released_at < due + timedelta(seconds=1)


def test_sweeps_leave_jobs_still_waiting_in_the_queue_alone(
    make_workspace, make_member, redis_conn
):
    # Each sweep used to enqueue every due row again: behind a backlog longer than the sweep
    # interval, the queue grew by the whole backlog at every sweep (100,000 delivery jobs for
    # 25,000 messages in the deadlines benchmark).
    from webapp.operations import unit
    from webapp.operations.notifications import queue_message
    from workers import runtime

    workspace = make_workspace()
    deadline = deadlines.schedule(workspace.id, "sla", now() - timedelta(minutes=1))
    # Its job is scheduled but no scheduler runs here: the first sweep queues it, once.
    assert runtime.perform("deadline.sweep") == 1
    assert runtime.perform("deadline.sweep") == 0
    assert Queue("timers", connection=redis_conn).get_job_ids() == [deadline.job_id]

    start = now()
    with time_machine.travel(start, tick=False), unit.transaction():
        queue_message(
            workspace.id, make_member(workspace), "in_app", "contact_sla_missed", {}, key="k"
        )
    notify = Queue("notify", connection=redis_conn)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert runtime.perform("notification.sweep") == 0  # its job still waits in the queue
        assert notify.count == 1
        notify.empty()  # the job is lost
        assert runtime.perform("notification.sweep") == 1
        assert notify.count == 1


def _one_message(workspace, member) -> Notification:
    from webapp.operations import unit
    from webapp.operations.notifications import queue_message

    with unit.transaction():
        row = queue_message(workspace.id, member, "in_app", "contact_sla_missed", {}, key="k")
    return row


def test_the_sweep_does_not_trust_a_job_hash_that_says_queued_for_a_job_in_no_queue(
    make_workspace, make_member, redis_conn
):
    """ALL-4, issue 10 item 10: a worker killed after taking a delivery job off the queue but
    before starting it leaves the job's hash `queued` with the job in no queue; the message
    stayed pending for ever because the sweep believed the hash."""
    from workers import runtime

    workspace = make_workspace()
    start = now()
    with time_machine.travel(start, tick=False):
        row = _one_message(workspace, make_member(workspace))
    notify = Queue("notify", connection=redis_conn)
    (job_id,) = notify.get_job_ids()
    redis_conn.lpop(notify.key)  # the killed worker's take
    assert Job.fetch(job_id, connection=redis_conn).get_status() == JobStatus.QUEUED
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert runtime.perform("notification.sweep") == 1
        assert notify.get_job_ids() == [job_id]
        assert runtime.perform("notification.sweep") == 0  # now it is really waiting
        redis_conn.delete(notify.key)
        ScheduledJobRegistry("notify", connection=redis_conn).schedule(
            Job.fetch(job_id, connection=redis_conn), start + timedelta(hours=1)
        )
        assert runtime.perform("notification.sweep") == 0  # scheduled for later: waiting
    assert db.session.get(Notification, row.id).state == NotificationState.PENDING


def _started_by(redis_conn, job_id: str, pid: int) -> None:
    """Mark `job_id` started by a worker registered on this machine with process `pid`."""
    name = f"worker-{pid}"
    redis_conn.hset(f"rq:worker:{name}", mapping={"hostname": socket.gethostname(), "pid": pid})
    redis_conn.hset(Job.key_for(job_id), mapping={"status": "started", "worker_name": name})


def test_the_sweep_tells_a_job_started_by_a_live_worker_from_one_whose_worker_died(
    make_workspace, make_member, redis_conn
):
    """ALL-4, issue 10 item 10: a delivery job started by a live worker is left to it; one
    whose worker was killed (its registration outlives it) is enqueued again, and a message
    that dead worker had claimed (`sending`) is freed at once rather than after the claim's
    five minutes."""
    from webapp.operations import delivery
    from workers import runtime

    workspace = make_workspace()
    start = now()
    with time_machine.travel(start, tick=False):
        row = _one_message(workspace, make_member(workspace))
    notify = Queue("notify", connection=redis_conn)
    (job_id,) = notify.get_job_ids()
    notify.empty()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        _started_by(redis_conn, job_id, os.getpid())  # alive: this very process
        assert runtime.perform("notification.sweep") == 0
        _started_by(redis_conn, job_id, dead.pid)
        assert runtime.perform("notification.sweep") == 1
        notify.empty()

        assert delivery._claim(row.id)  # the dead worker had claimed it before it died
        db.session.expire_all()
        claimed = db.session.get(Notification, row.id)
        assert claimed.state == NotificationState.SENDING and claimed.attempts == 1
        _started_by(redis_conn, job_id, os.getpid())
        assert runtime.perform("notification.sweep") == 0  # a live worker is sending it
        _started_by(redis_conn, job_id, dead.pid)
        assert runtime.perform("notification.sweep") == 1  # its worker died: freed now
        assert notify.count == 1
        BurstWorker([notify], connection=redis_conn).work(burst=True)
    db.session.expire_all()
    sent = db.session.get(Notification, row.id)
    assert (sent.state, sent.attempts) == (NotificationState.SENT, 2)


def test_the_sweep_leaves_a_live_batch_alone_and_sends_a_dead_ones_messages_at_once(
    make_workspace, make_member, redis_conn
):
    """Issue 17 item 2: a transaction's messages go out in one batch job. Its rows are the
    batch's while it waits or runs on a live worker; when its worker was killed mid-send, the
    sweep frees the claimed message at once and enqueues the messages after it in the batch,
    without waiting out the sweep's grace for fresh rows."""
    from webapp.operations import delivery, unit
    from webapp.operations.notifications import queue_message
    from workers import runtime

    workspace = make_workspace()
    start = now()
    with time_machine.travel(start, tick=False), unit.transaction():
        rows = [
            queue_message(
                workspace.id, make_member(workspace), "in_app", "contact_sla_missed", {}, key=k
            )
            for k in ("a", "b", "c")
        ]
    ids = [row.id for row in rows]
    notify = Queue("notify", connection=redis_conn)
    (batch_id,) = notify.get_job_ids()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert runtime.perform("notification.sweep") == 0  # the batch still waits
        redis_conn.lpop(notify.key)  # a worker took it
        _started_by(redis_conn, batch_id, os.getpid())
        assert runtime.perform("notification.sweep") == 0  # a live worker runs it
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        assert delivery._claim(ids[0])  # the worker sending the first one is killed
        _started_by(redis_conn, batch_id, os.getpid())
        assert runtime.perform("notification.sweep") == 0
        _started_by(redis_conn, batch_id, dead.pid)
        assert runtime.perform("notification.sweep") == 3  # within the grace: all at once
        assert sorted(notify.get_job_ids()) == sorted(
            [f"notification-{ids[0]}-1", f"notification-{ids[1]}-0", f"notification-{ids[2]}-0"]
        )
        assert runtime.perform("notification.sweep") == 0  # now they are waiting
        BurstWorker([notify], connection=redis_conn).work(burst=True)
    db.session.expire_all()
    sent = [db.session.get(Notification, i) for i in ids]
    assert [(row.state, row.attempts) for row in sent] == [
        (NotificationState.SENT, 2),
        (NotificationState.SENT, 1),
        (NotificationState.SENT, 1),
    ]
