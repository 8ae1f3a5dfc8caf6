"""What "healthy" means for an installation, checked the same way by /readyz and `leadline doctor`.

Each check answers within a short timeout: a database or Redis that hangs is as unready as one
that refuses. A check's `detail` is for operators and never carries secrets or workspace data.
"""

from __future__ import annotations

import ast
import concurrent.futures
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from rq.defaults import DEFAULT_WORKER_TTL
from sqlalchemy import inspect, text

from webapp.clock import now
from webapp.extensions import db
from webapp.redis_client import LiveWorkers

# The factory's migrations folder (webapp.MIGRATIONS_DIR), found without importing the factory.
MIGRATIONS_DIR = str(Path(__file__).resolve().parents[1] / "migrations")
TIMEOUT_SECONDS = 2.0
# RQ renews a worker's registration at least every worker_ttl (420 s) less its 15 s margin,
# even when idle; a heartbeat older than the ttl plus a minute is a worker gone.
HEARTBEAT_MAX_AGE = timedelta(seconds=DEFAULT_WORKER_TTL + 60)

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    state: str  # OK, WARN or FAIL
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state != FAIL


def _within_timeout(app: Flask, name: str, probe: Callable[[], Check]) -> Check:
    """Run `probe` in an app context on another thread; a probe still running at the timeout
    is a failure (its thread is left to finish or fail on its own)."""

    def run() -> Check:
        with app.app_context():
            return probe()

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"check-{name}")
    try:
        return pool.submit(run).result(timeout=TIMEOUT_SECONDS)
    except concurrent.futures.TimeoutError:
        return Check(name, FAIL, f"no answer within {TIMEOUT_SECONDS:g} s")
    except Exception as error:  # any failure of the probe is the check failing, said briefly
        return Check(name, FAIL, _brief(error))
    finally:
        pool.shutdown(wait=False)


def _brief(error: BaseException) -> str:
    """The error's class and first line: enough to act on, short of connection strings."""
    first_line = (str(error).strip().splitlines() or [""])[0]
    return f"{type(error).__name__}: {_without_credentials(first_line)}"[:200]


def _without_credentials(line: str) -> str:
    # Drivers quote the URL they failed on; never echo a password.
    for url in (current_app.config.get("SQLALCHEMY_DATABASE_URI"), _redis_url()):
        if url and "@" in url:
            line = line.replace(url, "<url>")
    return line


def _redis_url() -> str | None:
    return current_app.config.get("REDIS_URL")


def database() -> Check:
    def probe() -> Check:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return Check("database", OK, db.engine.dialect.name)

    return _within_timeout(current_app._get_current_object(), "database", probe)


# A migration script's two assignments Alembic itself reads: `revision = '0020_reports'` and
# `down_revision = '0019_rspeed'` (None for the first, a tuple for a merge).
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]+)?=\s*(.+?)\s*$", re.M)


@cache
def revision_graph(directory: str) -> dict[str, frozenset[str]]:
    """Each migration's revision and the revisions it follows, read from the scripts' text.

    Alembic's ScriptDirectory answers the same, but importing Alembic costs every web and
    worker process about 11 MiB for a question asked once per probe (issue 17 item 5);
    tests/test_memory_lean.py checks that both agree.
    """
    graph: dict[str, frozenset[str]] = {}
    for script in Path(directory, "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        follows = ast.literal_eval(found.get("down_revision", "None"))
        if isinstance(follows, str):
            follows = (follows,)
        graph[ast.literal_eval(found["revision"])] = frozenset(follows or ())
    return graph


def _migration_heads(directory: str) -> frozenset[str]:
    graph = revision_graph(directory)
    followed = frozenset().union(*graph.values())
    return frozenset(graph) - followed


def _known_revisions(directory: str) -> frozenset[str]:
    return frozenset(revision_graph(directory))


def migrations() -> Check:
    def probe() -> Check:
        # Read directly: alembic's MigrationContext logs two lines per call (every probe).
        with db.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                current = frozenset()
            else:
                rows = connection.execute(text("SELECT version_num FROM alembic_version"))
                current = frozenset(row[0] for row in rows)
        heads = _migration_heads(MIGRATIONS_DIR)
        if current == heads:
            return Check("migrations", OK, "at head")
        if not current:
            return Check("migrations", FAIL, "database not migrated: run `leadline db upgrade`")
        if current - _known_revisions(MIGRATIONS_DIR):
            # Mid-upgrade: migrated for the next release while this process still runs the
            # old code. It stays in service until replaced (README: Upgrades).
            return Check("migrations", WARN, "database is newer than this code")
        return Check("migrations", FAIL, "migrations pending: run `leadline db upgrade`")

    return _within_timeout(current_app._get_current_object(), "migrations", probe)


def redis_connection() -> Redis | None:
    url = _redis_url()
    if not url:
        return None
    return Redis.from_url(
        url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )


def redis() -> Check:
    connection = redis_connection()
    if connection is None:
        return Check("redis", FAIL, "REDIS_URL is not set (`leadline up` prints its server's)")
    try:
        connection.ping()
    except (RedisError, OSError) as error:
        return Check("redis", FAIL, _brief(error))
    finally:
        connection.close()
    return Check("redis", OK)


def workers() -> Check:
    """At least one RQ worker whose heartbeat is recent and whose process is not known dead."""
    connection = redis_connection()
    if connection is None:
        return Check("workers", FAIL, "REDIS_URL is not set")
    try:
        registered = Worker.all(connection=connection)
        live = LiveWorkers(connection)
        oldest_allowed = now() - HEARTBEAT_MAX_AGE
        alive = [
            worker
            for worker in registered
            if worker.last_heartbeat is not None
            and aware(worker.last_heartbeat) >= oldest_allowed
            and live.alive(worker.name)
        ]
    except (RedisError, OSError) as error:
        return Check("workers", FAIL, _brief(error))
    finally:
        connection.close()
    if not alive:
        return Check(
            "workers", FAIL, "no worker with a recent heartbeat: is `leadline worker` running?"
        )
    return Check("workers", OK, f"{len(alive)} alive")


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def readiness() -> list[Check]:
    """Everything a request or a clock needs: the database, its schema, Redis, a worker."""
    return [database(), migrations(), redis(), workers()]
