"""SIGTERM, as an orchestrator stops a container (issue 18), with real processes.

A worker lets the job in hand finish, within LEADLINE_WORKER_GRACE_SECONDS; past that it
stops cold and the job's transaction never commits (the sweeps give it to another worker).
gunicorn stops accepting and lets the request in flight finish. Nothing waits for a clock:
a local hook holds the job or request until the test has sent its signal.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests import support
from tests.test_clock_faults import HOOK_KIND, HOOK_URL_VARIABLE, WorkerProcess
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState
from webapp.operations import deadlines

REPO_ROOT = Path(__file__).resolve().parents[1]
PATIENCE = 45.0


class Hook:
    """A local endpoint that holds each call until `release()`; `arrived` once one came."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self._released = threading.Event()
        self._server = support.JsonPostServer(self._hold)
        self.url = self._server.url + "/hook"

    def _hold(self, path: str, body: dict) -> dict:
        self.arrived.set()
        self._released.wait(timeout=PATIENCE)
        return {"ok": True}

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self.release()
        self._server.close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.close()


def _env(app, redis_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LEADLINE_INSTANCE_PATH": str(tmp_path / "instance"),
        "LEADLINE_SWEEP_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def _state(deadline_id: int) -> DeadlineState:
    db.session.rollback()  # a fresh snapshot (PostgreSQL)
    return db.session.get(Deadline, deadline_id).state


def _start_worker_mid_job(app, redis_url, tmp_path, hook, make_workspace, **extra: str) -> tuple:
    workspace = make_workspace()
    deadline = deadlines.schedule(workspace.id, HOOK_KIND, now() - timedelta(seconds=1))
    env = _env(app, redis_url, tmp_path, **{HOOK_URL_VARIABLE: hook.url}, **extra)
    worker = WorkerProcess(env, tmp_path / "worker.log")
    assert hook.arrived.wait(PATIENCE), worker.log()[-3000:]  # the worker is firing it now
    return worker, deadline.id


def test_sigterm_lets_the_worker_finish_the_job_in_hand(
    app, redis_url, tmp_path, hook, make_workspace
):
    """ALL-4: a deadline being fired when the worker is told to stop still fires."""
    worker, deadline_id = _start_worker_mid_job(app, redis_url, tmp_path, hook, make_workspace)
    try:
        worker.process.send_signal(signal.SIGTERM)
        hook.release()
        assert worker.process.wait(timeout=PATIENCE) == 0, worker.log()[-3000:]
    finally:
        worker.stop()
    assert _state(deadline_id) == DeadlineState.FIRED
    assert "warm shut down requested" in worker.log()


def test_a_job_that_outlasts_the_grace_is_stopped_and_left_to_the_sweep(
    app, redis_url, tmp_path, hook, make_workspace
):
    worker, deadline_id = _start_worker_mid_job(
        app, redis_url, tmp_path, hook, make_workspace, LEADLINE_WORKER_GRACE_SECONDS="2"
    )
    try:
        worker.process.send_signal(signal.SIGTERM)
        # The hook is never released: the worker must stop on its own, about 2 s later.
        worker.process.wait(timeout=PATIENCE)
    finally:
        hook.release()
        worker.stop()
    assert "cold shut down" in worker.log()
    assert _state(deadline_id) == DeadlineState.PENDING  # rolled back: due, for the sweep


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(port: int, process: subprocess.Popen) -> None:
    give_up = time.monotonic() + PATIENCE
    while time.monotonic() < give_up and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)  # waiting for gunicorn to boot, not for a clock
    pytest.fail("gunicorn did not start", pytrace=False)


def test_sigterm_to_gunicorn_drains_the_request_in_flight(app, redis_url, tmp_path, hook):
    port = _free_port()
    env = _env(app, redis_url, tmp_path, SHUTDOWN_HOOK_URL=hook.url)
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:webapp.ops.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "2",
                "tests.shutdown_wsgi:app",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    answers: list[tuple[int, bytes]] = []

    def ask() -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_test/held", timeout=PATIENCE) as r:
            answers.append((r.status, r.read()))

    try:
        _wait_until_serving(port, server)
        asking = threading.Thread(target=ask)
        asking.start()
        assert hook.arrived.wait(PATIENCE)  # the request is in flight
        server.send_signal(signal.SIGTERM)
        hook.release()
        asking.join(timeout=PATIENCE)
        assert server.wait(timeout=PATIENCE) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert answers == [(200, b"finished")]
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # gunicorn's own lines are JSON too
    assert any(
        r["logger"] == "gunicorn.error" and "Handling signal" in r["message"] for r in records
    )
    request = next(r for r in records if r.get("route") == "/_test/held")
    assert request["status"] == 200 and request["request_id"]
