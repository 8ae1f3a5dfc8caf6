"""Structured logs (issue 18): JSON lines on stdout; a request's id follows it into its jobs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from tests.api_helpers import ccima_with_advisors, key_headers
from tests.support import BurstWorker
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState

REQUEST_ID = "ops-test-4f2a"
MEXICO = ZoneInfo("America/Mexico_City")
NOON_IN_MEXICO = datetime(2026, 11, 18, 12, 0, tzinfo=MEXICO).astimezone(UTC)


def log_lines(captured: str) -> list[dict]:
    """Every JSON line written to stdout (anything else there would fail json.loads)."""
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


def _work(redis_conn) -> None:
    queues = [Queue(name, connection=redis_conn) for name in ("timers", "notify", "default")]
    BurstWorker(queues, connection=redis_conn).work(burst=True)


@pytest.fixture
def ccima(make_workspace, make_member):
    """The CCIMA policy with an advisor on this month's roster, confirmed (CCIMA-2, 4)."""
    workspace, _people = ccima_with_advisors(make_workspace, make_member, advisors=1)
    return workspace


def test_request_id_reaches_the_job_it_enqueued(client, ccima, redis_conn, capsys):
    """CCIMA-6: a lead arrives over the API with X-Request-ID; its contact clock's job, run by
    a real RQ worker when due, logs with the same id, and so does its firing."""
    headers = key_headers(ccima, **{"X-Request-ID": REQUEST_ID})
    capsys.readouterr()
    body = {"contact_name": "Ana García", "source": "digital_marketing", "phone": "55 1234 5678"}
    with time_machine.travel(NOON_IN_MEXICO, tick=False):
        response = client.post("/api/v1/leads", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.headers["X-Request-ID"] == REQUEST_ID

    scheduled = ScheduledJobRegistry("timers", connection=redis_conn).get_job_ids()
    assert scheduled
    assert all(
        Job.fetch(i, connection=redis_conn).meta.get("request_id") == REQUEST_ID for i in scheduled
    )
    request_lines = log_lines(capsys.readouterr().out)
    request_line = next(line for line in request_lines if line["message"] == "request")
    assert request_line["request_id"] == REQUEST_ID
    assert request_line["route"] == "/api/v1/leads" and request_line["status"] == 201
    intake = next(line for line in request_lines if line.get("what") == "api_calls.receive_lead")
    assert intake["workspace"] == "cc" and intake["outcome"] == "ok"
    assert intake["request_id"] == REQUEST_ID

    latest = max(d.due_at for d in db.session.query(Deadline).all())
    with time_machine.travel(latest + timedelta(seconds=5), tick=False):
        _work_due(redis_conn)
    db.session.expire_all()
    assert db.session.query(Deadline).filter_by(state=DeadlineState.FIRED).count() >= 1
    job_lines = [line for line in log_lines(capsys.readouterr().out) if line.get("job")]
    done = [line for line in job_lines if line["message"] == "job done"]
    assert done and all(line["request_id"] == REQUEST_ID for line in done)
    fired = [line for line in job_lines if line["message"] == "deadline fired"]
    assert fired and fired[0]["workspace"] == "cc" and fired[0]["request_id"] == REQUEST_ID
    assert fired[0]["lateness_seconds"] >= 0


def _work_due(redis_conn) -> None:
    """Move the due scheduled jobs to their queue (as RQ's scheduler does), then work them."""
    for name in ("timers", "notify", "default"):
        queue = Queue(name, connection=redis_conn)
        registry = ScheduledJobRegistry(name, connection=redis_conn)
        for job_id in registry.get_jobs_to_schedule(int(now().timestamp())):
            queue.enqueue_job(Job.fetch(job_id, connection=redis_conn))
            registry.remove(job_id)
    _work(redis_conn)


def test_a_sane_request_id_is_kept_and_a_bad_one_replaced(client):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc.DEF-1"}).headers["X-Request-ID"]
        == "abc.DEF-1"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert replaced.headers["X-Request-ID"] != "bad id <script>"
    assert len(replaced.headers["X-Request-ID"]) == 32
    assert client.get("/healthz").headers["X-Request-ID"]


def test_a_failed_operation_logs_its_outcome_and_no_password(client, make_user, capsys):
    user = make_user(email="someone@example.test")
    capsys.readouterr()
    response = client.post("/login", data={"email": user.email, "password": "wrong horse"})
    assert response.status_code in (200, 400, 401, 429)
    out = capsys.readouterr().out
    assert "wrong horse" not in out
    assert all(line["level"] for line in log_lines(out))


def test_errors_are_one_json_line_with_their_traceback(app, capsys):
    """Flask logs an unhandled exception through app.logger: it reaches stdout as JSON."""
    assert not app.logger.handlers  # no stderr handler of Flask's own beside ours
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        app.logger.exception("Exception on /somewhere [GET]")
    (line,) = [x for x in log_lines(capsys.readouterr().out) if x["logger"] == app.logger.name]
    assert line["level"] == "error"
    assert "Traceback" in line["error"] and "RuntimeError: the database went away" in line["error"]


def test_a_request_line_never_carries_a_token_from_its_path(client, make_workspace, capsys):
    """The roster confirmation link's path holds a signed token: the line names the route."""
    workspace = make_workspace(slug="tokens")
    capsys.readouterr()
    client.get(f"/roster/{workspace.slug}/confirm/signed.token-value")
    lines = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "request"]
    assert lines, "the request logged no line"
    assert "signed.token-value" not in json.dumps(lines)
    assert lines[0]["workspace"] == "tokens"
