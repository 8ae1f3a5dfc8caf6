"""Shared by tests/ and e2e/: the real Redis and the real database the suites run against."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flask import Flask
from flask_migrate import downgrade, upgrade
from rq import SimpleWorker
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from webapp import catalogues, create_app
from webapp.extensions import db
from workers.embedded_redis import EmbeddedRedis

# Every app the suite starts, in this process or a child (`leadline up`, the e2e server),
# hashes new passwords cheaply: scrypt costs ~0.1 s a hash, and the suite makes thousands of
# members. Stored hashes name their method, so sign-in works the same; test_login_throttle
# puts scrypt back where the cost itself is under test.
os.environ.setdefault("LEADLINE_PASSWORD_HASH", "pbkdf2:sha256:1000")


def xdist_worker() -> int | None:
    """The number of this pytest-xdist worker (`-n 2` gives gw0 and gw1), None when serial."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name.removeprefix("gw")) if name.startswith("gw") else None


@contextmanager
def redis_url(purpose: str = "") -> Iterator[str]:
    """REDIS_URL when set (CI's service), else a private embedded server for this run.

    The integration tests empty their Redis database between tests, so on a shared server
    the e2e suite (its live worker and queues) and each parallel worker take a database of
    their own: REDIS_URL's number, then the ones below it."""
    if url := os.environ.get("REDIS_URL"):
        offset = 2 * (xdist_worker() or 0) + (1 if purpose else 0)
        if offset:
            parts = urlsplit(url)
            number = int(parts.path.strip("/") or 0)
            url = urlunsplit(parts._replace(path=f"/{(number - offset) % 16}"))
        yield url
        return
    with EmbeddedRedis() as server:
        yield server.url


def database_url(tmp_dir: Path, purpose: str = "") -> str:
    """DATABASE_URL when set (PostgreSQL in CI), else an SQLite file of this run.

    On PostgreSQL a `purpose` (the e2e suite's seeded demo) and each parallel worker get a
    database of their own beside DATABASE_URL's, created when missing: the integration tests
    empty their database between tests and must not empty the demo the browser is reading."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / f'leadline-test{purpose}.sqlite3'}"
    worker = xdist_worker()
    suffixes = [s for s in (purpose, f"gw{worker}" if worker is not None else "") if s]
    if not suffixes:
        return url
    base = make_url(url)
    own = base.set(database="_".join([base.database or "test", *suffixes]))
    _create_database_if_missing(base, own.database)
    return own.render_as_string(hide_password=False)


def _create_database_if_missing(server_url: URL, name: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not found:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A test database need not survive a power cut: commits stop waiting for the WAL
            # to reach the disk, which the suite's thousands of small transactions did.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        engine.dispose()


def build_app(database: str, redis: str, instance: Path, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database,
        "REDIS_URL": redis,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        **overrides,
    }
    os.environ.setdefault("LEADLINE_INSTANCE_PATH", str(instance))
    return create_app(config)


def migrate_fresh(app: Flask) -> None:
    """Bring the database to the latest migration from nothing, as a new install would."""
    catalogues.compile_all()
    with app.app_context():
        if inspect(db.engine).has_table("alembic_version"):
            downgrade(revision="base")
        upgrade()


def migrate(app: Flask) -> None:
    """Bring the database up to the latest migration, keeping its rows."""
    catalogues.compile_all()
    with app.app_context():
        upgrade()


class BurstWorker(SimpleWorker):
    """RQ's in-process worker for one `work(burst=True)` in a test, without the command channel:
    stopping that pub/sub thread cost about 0.2 s per burst (a third of the clock tests'
    time), and nothing sends commands to a worker that lives for one burst."""

    def subscribe(self) -> None:
        self.pubsub, self.pubsub_thread = None, None

    def unsubscribe(self) -> None:
        pass


def wipe(app: Flask) -> None:
    """Empty every table (faster than re-migrating between tests)."""
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                connection.execute(text("UPDATE workspaces SET active_policy_version_id = NULL"))
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))


class JsonPostServer:
    """A local HTTP server standing in for a JSON API (WhatsApp Cloud API, a hook): every POST
    body goes to `respond(path, body)`, whose dict is the answer; `answered(path, body)` is told
    once an answer has reached the caller (a caller killed meanwhile never gets one).

    It speaks HTTP/1.1 with keep-alive, as the real APIs do: a caller may send many requests
    down one connection, and `connections` counts the connections it accepted."""

    def __init__(
        self,
        respond: Callable[[str, dict], dict],
        answered: Callable[[str, dict], None] | None = None,
    ) -> None:
        self.connections = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: one handler serves a whole connection
            # The answer's head and body leave in one write, as a real server's do: written
            # apart on a kept-alive connection, Nagle's algorithm held the body until the
            # caller's delayed ACK, 40 ms per message.
            wbufsize = 64 * 1024

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with owner._lock:
                    owner.connections += 1
                    owner._open.add(self.connection)

            def finish(self) -> None:
                with owner._lock:
                    owner._open.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:  # http.server calls it by this name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                data = json.dumps(respond(self.path, body)).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:  # the caller is gone
                    self.close_connection = True
                    return
                if answered is not None:
                    answered(self.path, body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        # Kept-alive connections outlive the listening socket: closed too, so that a caller
        # holding one sees the server gone instead of talking to a handler left behind.
        self.drop_connections()

    def drop_connections(self) -> None:
        """Close every open connection, as a server does with idle ones after its timeout."""
        with self._lock:
            for connection in self._open:
                with suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._open.clear()


class SmtpInbox:
    """A real SMTP server (aiosmtpd) on a free loopback port, keeping every message it gets."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.sessions: set[tuple] = set()  # the (host, port) each message came from
        self._arrived = threading.Condition()
        self._controller = Controller(self, hostname="127.0.0.1", port=_free_port())
        self._controller.start()
        self.host, self.port = "127.0.0.1", self._controller.port

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        with self._arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
            self.sessions.add(tuple(session.peer))
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 30.0) -> EmailMessage:
        """The first message to `to`, waiting for it to arrive (a worker sends it)."""
        with self._arrived:
            found = self._arrived.wait_for(
                lambda: next((m for m in self.messages if m["To"] == to), None), timeout
            )
        assert found is not None, f"no e-mail to {to} within {timeout} s"
        return found

    def close(self) -> None:
        self._controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# 411's teams as the department names them: the CPT agents, the AE upsell team, retention.
L411_TEAMS = (("cpt", "CPT"), ("ae", "Area Expansion"), ("ret", "Retention"))


def l411_workspace(make_workspace: Callable[..., object]) -> tuple[object, dict[str, object]]:
    """A workspace on 411's profile in its time zone, with its three teams by code."""
    from tenants.profiles import load_profile
    from webapp.operations import workspaces

    workspace = make_workspace(
        slug="l411",
        time_zone="America/Los_Angeles",
        policy_document=load_profile("locals411_cpt_ae"),
    )
    teams = {
        code: workspaces.create_team(workspace, name, actor=None, code=code)
        for code, name in L411_TEAMS
    }
    return workspace, teams
