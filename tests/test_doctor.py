"""`leadline doctor` (issue 18): one OK/WARN/FAIL line per check, non-zero exit on a FAIL.

Runs against the suite's real database (SQLite, or PostgreSQL with DATABASE_URL), real Redis,
an aiosmtpd server and local sockets standing in for the WhatsApp and Telegram APIs.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from tests.test_health import registered_worker
from webapp.clock import now
from webapp.config import SmtpSettings
from webapp.extensions import db
from webapp.models import ChannelSettings, Notification, NotificationState
from webapp.operations import deadlines
from webapp.ops.commands import doctor_command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Accepting:
    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    controller = Controller(_Accepting(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    previous = app.config["LEADLINE_SMTP"]
    app.config["LEADLINE_SMTP"] = SmtpSettings(host="127.0.0.1", port=controller.port)
    yield controller
    app.config["LEADLINE_SMTP"] = previous
    controller.stop()


@pytest.fixture
def worker(redis_url):
    with registered_worker(redis_url) as registered:
        yield registered


def doctor(runner) -> tuple[int, dict[str, tuple[str, str]]]:
    result = runner.invoke(doctor_command, [])
    lines = {}
    for line in result.output.splitlines():
        state, _, rest = line.partition(" ")
        if state in ("OK", "WARN", "FAIL"):
            name, _, detail = rest.strip().partition("  ")
            lines[name.strip()] = (state, detail.strip())
    return result.exit_code, lines


def test_a_healthy_installation_has_no_fail_and_exits_zero(runner, worker, smtp_server):
    code, lines = doctor(runner)
    assert code == 0, lines
    for name in ("database", "migrations", "redis", "workers", "deadlines", "dead letters"):
        assert lines[name][0] == "OK", (name, lines[name])
    assert lines["smtp"][0] == "OK"
    assert lines["secret key"][0] == "WARN"  # generated, on a local address: fine, but said


def test_without_a_worker_doctor_fails(runner, smtp_server):
    code, lines = doctor(runner)
    assert code == 1
    assert lines["workers"][0] == "FAIL"


def test_all_4_deadlines_overdue_by_more_than_a_sweep_fail(
    runner, worker, smtp_server, make_workspace
):
    """ALL-4: a due deadline nobody fired for longer than a sweep means the clocks stopped."""
    workspace = make_workspace()
    deadlines.schedule(workspace.id, "sla", now() - timedelta(minutes=5))
    deadlines.schedule(workspace.id, "sla_soon", now() + timedelta(minutes=5))
    code, lines = doctor(runner)
    assert code == 1
    state, detail = lines["deadlines"]
    assert state == "FAIL" and detail.startswith("1 pending deadline(s) overdue")


def test_dead_letters_and_channels(runner, worker, smtp_server, make_workspace):
    workspace = make_workspace()
    listening = socket.create_server(("127.0.0.1", 0))
    closed = _free_port()
    db.session.add_all(
        [
            Notification(
                workspace_id=workspace.id,
                channel="whatsapp",
                template="sla_missed",
                idempotency_key="dead-1",
                state=NotificationState.DEAD,
            ),
            ChannelSettings(
                workspace_id=workspace.id,
                channel="whatsapp",
                base_url=f"http://127.0.0.1:{listening.getsockname()[1]}",
                token="secret-token-never-printed",
                enabled=True,
            ),
            ChannelSettings(
                workspace_id=make_workspace().id,
                channel="telegram",
                base_url=f"http://127.0.0.1:{closed}",
                token="another-secret-token",
                enabled=True,
            ),
        ]
    )
    db.session.commit()
    try:
        result = runner.invoke(doctor_command, [])
    finally:
        listening.close()
    assert result.exit_code == 1
    assert "WARN dead letters   whatsapp: 1" in result.output
    assert "OK   whatsapp api" in result.output
    assert "FAIL telegram api" in result.output
    assert "secret-token" not in result.output


def test_https_without_secure_cookies_fails(app, runner, worker, smtp_server):
    previous = app.config["LEADLINE_BASE_URL"], app.config["SESSION_COOKIE_SECURE"]
    app.config.update(LEADLINE_BASE_URL="https://leads.example.test", SESSION_COOKIE_SECURE=False)
    try:
        code, lines = doctor(runner)
    finally:
        app.config["LEADLINE_BASE_URL"], app.config["SESSION_COOKIE_SECURE"] = previous
    assert code == 1
    assert lines["cookies"][0] == "FAIL"
    assert lines["secret key"][0] == "FAIL"  # a public address with a generated key


def test_only_runs_the_named_checks(runner, worker):
    result = runner.invoke(doctor_command, ["--only", "database", "--only", "workers"])
    assert result.exit_code == 0, result.output
    assert [line.split()[1] for line in result.output.splitlines()] == ["database", "workers"]
