"""Shared by tests/ and e2e/: the real Redis and the real database the suites run against."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from webapp import catalogues, create_app
from webapp.extensions import db
from workers.embedded_redis import EmbeddedRedis


@contextmanager
def redis_url() -> Iterator[str]:
    """REDIS_URL when set (CI's service), else a private embedded server for this run."""
    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    with EmbeddedRedis() as server:
        yield server.url


def database_url(tmp_dir: Path) -> str:
    """DATABASE_URL when set (PostgreSQL in CI), else an SQLite file of this run."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_dir / 'leadline-test.sqlite3'}"


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
