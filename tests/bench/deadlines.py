"""Deadlines at scale (issue 5): 10,000 CCIMA contact SLAs due within the same minute, fired by
real worker processes (`python -m workers worker`, RQ's scheduler and the sweep included).

Each deadline is a real policy timer (CCIMA-6): reassign the lead to a top performer, tell the
previous advisor, the manager and the director on WhatsApp (a local HTTP server stands in for
the Cloud API), flag the breach. Measured separately: fire lateness, how late the action was
done (the `deadline.fired` audit row, written in the firing transaction after the actions,
minus due_at: p50, p95, p99, max; goal p99 < 2 s), and delivery lateness, how long each
WhatsApp message waited from its fire to the endpoint (sent_at - created_at; goal p99 < 5 s),
with the messages per second and how many had gone when the last deadline fired.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from flask import Flask
from redis import Redis
from rq import Worker
from sqlalchemy import func, insert, select

from tenants.profiles import load_profile
from tests import support
from webapp.clock import now
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    ChannelSettings,
    Deadline,
    DeadlineState,
    Lead,
    Notification,
    NotificationState,
    Role,
    User,
)
from webapp.operations import deadlines, unit, users, workspaces

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKSPACES = 10  # the deadlines are spread over ten contact centres, as in a shared SaaS
ADVISORS = 8  # per contact centre, all on this month's confirmed roster
SPREAD_SECONDS = 60  # every deadline falls due within the same minute
PATIENCE_SECONDS = 1800  # the run gives up if the workers have not caught up by then


class WhatsAppStandIn:
    """A local Cloud API: answers every message at once and notes when it arrived."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.recipients: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._server = support.JsonPostServer(self._receive)
        self.url = self._server.url

    def _receive(self, path: str, body: dict) -> dict:
        with self._lock:
            self.arrivals.append(time.time())
            self.recipients[(body["to"], body["text"]["body"])] += 1
        return {"messages": [{"id": "wamid.bench"}]}

    def close(self) -> None:
        self._server.close()


def _open_all_day(document: dict) -> dict:
    """The CCIMA policy with its hours widened to the whole day, so that whatever the hour
    the bench runs, a breach reassigns the lead (outside hours it would wait for the opening)."""
    hours = document["calendar"]["business_hours"]
    for day in hours:
        hours[day] = ["00:00-23:59"]
    return document


def _contact_centres(whatsapp_url: str) -> list[tuple[int, int, list[int]]]:
    """WORKSPACES CCIMA workspaces: (workspace id, policy version id, advisor ids)."""
    password_hash = users.create_user("probe@bench.test", "Probe", "bench-password").password_hash
    month = now().date().replace(day=1)
    made = []
    for n in range(WORKSPACES):
        workspace = workspaces.create_workspace(
            f"ccima-{n}",
            f"CCIMA {n}",
            locale="es",
            time_zone="America/Mexico_City",
            country="MX",
            policy_document=_open_all_day(load_profile("ccima_contact_center")),
            actor=None,
        )
        team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
        people = {"manager": Role.MANAGER, "director": Role.DIRECTOR}
        people |= {f"advisor{a}": Role.AGENT for a in range(ADVISORS)}
        advisors = []
        for i, (name, role) in enumerate(people.items()):
            user = User(
                email=f"{name}@ccima-{n}.test",
                name=f"{name} {n}",
                password_hash=password_hash,
                phone=f"+52 55 {n:02d}{i:02d} 0000",
            )
            db.session.add(user)
            db.session.flush()
            membership = users.add_member(
                workspace, user, role, actor=None, team=team if role != Role.DIRECTOR else None
            )
            if role == Role.AGENT:
                users.put_on_roster(membership, month, confirmed_at=now(), actor=None)
                advisors.append(user.id)
        db.session.add(
            ChannelSettings(
                workspace_id=workspace.id,
                channel="whatsapp",
                base_url=whatsapp_url,
                enabled=True,
                phone_number_id="1055",
                token="bench-token",
            )
        )
        db.session.commit()
        made.append((workspace.id, workspace.active_policy_version_id, advisors))
    return made


def _leads_with_deadlines(centres, total: int) -> list[int]:
    """`total` new leads over the centres' advisors, each with a pending contact SLA row
    (its due time is set when it is scheduled)."""
    lead_rows = []
    for n in range(total):
        workspace_id, version_id, advisors = centres[n % len(centres)]
        lead_rows.append(
            {
                "workspace_id": workspace_id,
                "owner_id": advisors[(n // len(centres)) % len(advisors)],
                "policy_version_id": version_id,
                "contact_name": f"Prospecto {n}",
                "source": "digital_marketing",
                "status": "new",
                "attributes": {},
            }
        )
    db.session.execute(insert(Lead), lead_rows)
    leads = db.session.execute(select(Lead.id, Lead.workspace_id).order_by(Lead.id)).all()
    versions = {workspace_id: version_id for workspace_id, version_id, _ in centres}
    far = now() + timedelta(days=1)  # replaced when scheduled
    db.session.execute(
        insert(Deadline),
        [
            {
                "workspace_id": workspace_id,
                "lead_id": lead_id,
                "kind": "contact_sla",
                "due_at": far,
                "state": DeadlineState.PENDING,
                # What leads.start_timers records for a policy timer.
                "payload": {
                    "event": "lead.assigned",
                    "handler": "policy_timer",
                    "policy_version_id": versions[workspace_id],
                    "actor_id": None,
                },
            }
            for lead_id, workspace_id in leads
        ],
    )
    db.session.commit()
    return list(db.session.scalars(select(Deadline.id).order_by(Deadline.id)))


def _schedule(deadline_ids: list[int], first_due) -> float:
    """Give the deadlines their due times across one minute and enqueue each due second's
    drain job as deadlines.schedule does after its commit; returns the seconds it took."""
    started = time.perf_counter()
    step = timedelta(seconds=SPREAD_SECONDS) / len(deadline_ids)
    due = {deadline_id: first_due + step * n for n, deadline_id in enumerate(deadline_ids)}
    db.session.execute(
        Deadline.__table__.update()
        .where(Deadline.id == db.bindparam("deadline_id"))
        .values(due_at=db.bindparam("due"), job_id=db.bindparam("job")),
        [
            {"deadline_id": i, "due": at, "job": deadlines.job_id_for_due(at)}
            for i, at in due.items()
        ],
    )
    db.session.commit()
    with unit.transaction():
        for deadline_id, at in due.items():
            deadlines.enqueue_fire_after_commit(deadline_id, at)
    return time.perf_counter() - started


def _start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "workers", "worker"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the worker's sweeper is stopped with it
        )
        for _ in range(count)
    ]


def _cpu_seconds(pid: int) -> float:
    """The user + system CPU time a worker process has used (its threads included): unlike
    the wall clock, hardly moved by what else the shared machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop_workers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()  # RQ's warm shutdown
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _wait(condition, what: str, processes: list[subprocess.Popen]) -> None:
    give_up = time.monotonic() + PATIENCE_SECONDS
    while not condition():
        if any(process.poll() is not None for process in processes):
            raise RuntimeError(f"a worker stopped while waiting for {what}")
        if time.monotonic() > give_up:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(1)  # polling the workers' progress, not waiting for a clock


def _count(query) -> int:
    db.session.rollback()  # a fresh snapshot
    return db.session.scalar(query)


def _caused_by(key: str, deadline_ids: set[int]) -> bool:
    """Whether the notification with idempotency `key` was sent by one of `deadline_ids`
    (not by the fresh SLAs their reassignments started, if the run lasts 10 minutes)."""
    kind, _, rest = key.partition(":")
    return kind == "deadline" and int(rest.partition(":")[0]) in deadline_ids


def _unsent(deadline_ids: set[int]) -> list[str]:
    db.session.rollback()
    keys = db.session.scalars(
        select(Notification.idempotency_key).where(Notification.state != NotificationState.SENT)
    )
    return [key for key in keys if _caused_by(key, deadline_ids)]


def run(app: Flask, database: str, redis_url: str, total: int, worker_count: int) -> dict:
    whatsapp = WhatsAppStandIn()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench",
        "LEADLINE_INSTANCE_PATH": app.instance_path,
    }
    processes = _start_workers(worker_count, env)
    try:
        with app.app_context():
            centres = _contact_centres(whatsapp.url)
            deadline_ids = _leads_with_deadlines(centres, total)
            redis = Redis.from_url(redis_url)
            _wait(lambda: len(Worker.all(connection=redis)) >= worker_count, "workers", processes)
            # Long enough to enqueue every job before the first one is due.
            first_due = now() + timedelta(seconds=5 + total / 1000)
            scheduling = _schedule(deadline_ids, first_due)
            late_start = (now() - first_due).total_seconds()
            pending = select(func.count(Deadline.id)).where(
                Deadline.id.in_(deadline_ids), Deadline.state == DeadlineState.PENDING
            )
            _wait(lambda: _count(pending) == 0, "every deadline to fire", processes)
            measured = set(deadline_ids)
            _wait(lambda: not _unsent(measured), "every notification to be sent", processes)
            figures = _figures(measured, whatsapp)
            figures["worker_cpu_s"] = sum(_cpu_seconds(process.pid) for process in processes)
    finally:
        _stop_workers(processes)
        whatsapp.close()
    figures.update(
        deadlines=total,
        workers=worker_count,
        scheduling_s=scheduling,
        scheduled_after_first_due_s=max(late_start, 0.0),
    )
    return figures


def _percentiles(samples: list[float]) -> dict[str, float]:
    cut = statistics.quantiles(sorted(samples), n=100, method="inclusive")
    return {"p50": cut[49], "p95": cut[94], "p99": cut[98], "max": max(samples)}


def _figures(deadline_ids: set[int], whatsapp: WhatsAppStandIn) -> dict:
    db.session.rollback()
    fired = db.session.execute(
        select(AuditEvent.subject_id, AuditEvent.created_at, Deadline.due_at)
        .join(Deadline, Deadline.id == AuditEvent.subject_id)
        .where(
            AuditEvent.action == "deadline.fired",
            AuditEvent.subject_type == Deadline.__tablename__,
            Deadline.id.in_(deadline_ids),
        )
    ).all()
    fired_per_deadline = Counter(row.subject_id for row in fired)
    sent = [
        row
        for row in db.session.execute(
            select(Notification.idempotency_key, Notification.sent_at, Notification.created_at)
        )
        if _caused_by(row.idempotency_key, deadline_ids)
    ]
    first, last = min(row.sent_at for row in sent), max(row.sent_at for row in sent)
    last_fire = max(r.created_at for r in fired)
    fire_span = last_fire - min(r.created_at for r in fired)
    return {
        "fires_per_s": len(fired) / max(fire_span.total_seconds(), 1e-3),
        "lateness": _percentiles([(r.created_at - r.due_at).total_seconds() for r in fired]),
        "fired_twice": sum(1 for n in fired_per_deadline.values() if n > 1),
        "not_fired": len(deadline_ids) - len(fired_per_deadline),
        "messages": len(whatsapp.arrivals),
        "notifications": len(sent),
        "sent_twice": sum(1 for n in whatsapp.recipients.values() if n > 1),
        "deliveries_per_s": len(sent) / max((last - first).total_seconds(), 1e-3),
        # Delivery's own capacity: how much had gone out by the time the burst was fired.
        "sent_by_last_fire": sum(1 for row in sent if row.sent_at <= last_fire),
        "delivery_wait": _percentiles([(r.sent_at - r.created_at).total_seconds() for r in sent]),
    }


def report(figures: dict, database: str) -> None:
    late, wait = figures["lateness"], figures["delivery_wait"]
    print(
        f"  {figures['deadlines']} CCIMA contact SLAs due within {SPREAD_SECONDS} s over"
        f" {WORKSPACES} workspaces, {figures['workers']} worker processes, {database}"
        f" (scheduled in {figures['scheduling_s']:.1f} s)",
        flush=True,
    )
    if figures["scheduled_after_first_due_s"]:
        print(
            f"  note: scheduling ended {figures['scheduled_after_first_due_s']:.1f} s after"
            " the first deadline was due",
            flush=True,
        )
    print(
        f"  fire lateness (audit row - due_at): p50 {late['p50']:.2f} s, p95"
        f" {late['p95']:.2f} s, p99 {late['p99']:.2f} s, max {late['max']:.2f} s"
        f" (goal p99 < 2 s); {figures['fires_per_s']:.0f} fires/s",
        flush=True,
    )
    print(
        f"  worker CPU: {figures['worker_cpu_s']:.0f} s in all,"
        f" {1000 * figures['worker_cpu_s'] / figures['deadlines']:.0f} ms per deadline with its"
        " messages (user + system, every worker process)",
        flush=True,
    )
    print(
        f"  fired twice: {figures['fired_twice']}, not fired: {figures['not_fired']};"
        f" {figures['notifications']} notifications sent, {figures['messages']} WhatsApp"
        f" messages received, {figures['sent_twice']} of them twice",
        flush=True,
    )
    print(
        f"  delivery lateness (handed to the endpoint - written by the fire):"
        f" {figures['deliveries_per_s']:.0f} messages/s; p50 {wait['p50']:.2f} s,"
        f" p95 {wait['p95']:.2f} s, p99 {wait['p99']:.2f} s, max {wait['max']:.2f} s"
        f" (goal p99 < 5 s); {figures['sent_by_last_fire']} of {figures['notifications']}"
        " sent when the last deadline fired",
        flush=True,
    )
