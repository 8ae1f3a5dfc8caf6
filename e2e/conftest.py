"""End-to-end fixtures: the real app on a loopback port, an RQ worker, and Debian's Chromium.

The session serves one demo database (seeded once) to every test; each test gets a fresh
browser context, so cookies and local state never leak from one test into the next.
Tests must not change shared demo data they do not put back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from werkzeug.serving import make_server

from tests import support
from webapp.demo import seed_demo
from webapp.extensions import db

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parent
DEMO_PASSWORD = "leadline-demo"
SECRET_KEY = "e2e-secret-key"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under e2e/ is an `e2e` test (and only those: tests/ may share the run)."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# --- the system under test -------------------------------------------------------------


@pytest.fixture(scope="session")
def e2e_redis_url() -> Iterator[str]:
    with support.redis_url(purpose="e2e") as url:
        yield url


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return support.database_url(tmp_path_factory.mktemp("e2e-db"), purpose="e2e")


@pytest.fixture(scope="session")
def e2e_smtp() -> Iterator[support.SmtpInbox]:
    """A real SMTP server (aiosmtpd) the worker delivers e-mail to."""
    inbox = support.SmtpInbox()
    yield inbox
    inbox.close()


@pytest.fixture(scope="session")
def e2e_app(
    tmp_path_factory: pytest.TempPathFactory, e2e_database_url: str, e2e_redis_url: str
) -> Iterator[Flask]:
    """The app with CSRF on (the browser sends real tokens), migrated and seeded once."""
    app = support.build_app(
        e2e_database_url,
        e2e_redis_url,
        tmp_path_factory.mktemp("e2e-instance"),
        WTF_CSRF_ENABLED=True,
        SECRET_KEY=SECRET_KEY,
    )
    support.migrate_fresh(app)
    with app.app_context():
        seed_demo(DEMO_PASSWORD)
    # A shared REDIS_URL may still count this address's failed sign-ins from earlier runs.
    redis = Redis.from_url(e2e_redis_url)
    for key in redis.scan_iter("leadline:login-failures:*"):
        redis.delete(key)
    redis.close()
    yield app
    # Close pooled connections now, not when the interpreter collects them (ResourceWarning).
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_url(e2e_app: Flask, rq_worker: subprocess.Popen) -> Iterator[str]:
    """Base URL of the app served on 127.0.0.1 from a thread of this process."""
    server = make_server("127.0.0.1", 0, e2e_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def rq_worker(
    e2e_app: Flask,
    e2e_database_url: str,
    e2e_redis_url: str,
    e2e_smtp: support.SmtpInbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[subprocess.Popen]:
    """`python -m workers worker` on the same database and Redis as the live app, sending
    e-mail to the session's aiosmtpd server."""
    log_path = tmp_path_factory.mktemp("e2e-worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": e2e_database_url,
        "REDIS_URL": e2e_redis_url,
        "SECRET_KEY": SECRET_KEY,
        "SMTP_HOST": e2e_smtp.host,
        "SMTP_PORT": str(e2e_smtp.port),
        "SMTP_STARTTLS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "workers", "worker"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: the worker's sweeper child is stopped with it.
            start_new_session=True,
        )
    try:
        yield process
        alive = process.poll() is None
        log_text = log_path.read_text(errors="replace")
        assert alive, f"the RQ worker exited early with code {process.returncode}:\n{log_text}"
        assert "Traceback" not in log_text, f"the RQ worker reported an error:\n{log_text}"
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # RQ's warm shutdown
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    # Anything left in the worker's own group (its sweeper) goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


# --- pytest-playwright configuration ---------------------------------------------------


def _chromium_executable() -> str:
    candidates = [
        os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "e2e tests need a Chromium: install Debian's `chromium` package or set "
        "PLAYWRIGHT_CHROMIUM_EXECUTABLE to a Chromium binary (no `playwright install` here).",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": _chromium_executable(),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
        "headless": browser_type_launch_args.get("headless", True),
    }


@pytest.fixture(scope="session")
def base_url(live_url: str) -> str:
    """Pages open relative URLs (`page.goto("/login")`) on the live server.

    Also replaces pytest-playwright's fallback `base_url`, a session fixture defined as an
    instance method, which pytest 9 deprecates (an error under this project's filterwarnings).
    """
    return live_url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {"locale": "en-US", "viewport": {"width": 1280, "height": 800}, **browser_context_args}


@pytest.fixture
def page(page: Any) -> Iterator[Any]:
    """Every test's page, failing the test if the browser refused anything under the CSP."""
    refused: list[str] = []

    def watch(message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    yield page
    assert refused == [], refused
