"""/healthz and /readyz: liveness and readiness for load balancers and compose (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from sqlalchemy import text

from tests import support
from webapp.extensions import db
from workers.embedded_redis import EmbeddedRedis


@contextmanager
def registered_worker(redis_url: str) -> Iterator[SimpleWorker]:
    """An RQ worker registered as RQ registers one when it starts (birth and heartbeat)."""
    connection = Redis.from_url(redis_url)
    worker = SimpleWorker([Queue("default", connection=connection)], connection=connection)
    worker.register_birth()
    try:
        yield worker
    finally:
        with suppress(RedisError):  # a test may have stopped the server meanwhile
            worker.register_death()


def test_healthz_answers_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_with_database_redis_migrations_and_a_worker(client, redis_url):
    with registered_worker(redis_url):
        response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ok"
    assert {name: check["state"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "migrations": "ok",
        "redis": "ok",
        "workers": "ok",
    }
    assert "Set-Cookie" not in response.headers


def test_readyz_fails_without_a_worker(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["workers"]["state"] == "fail"


def test_readyz_says_nothing_of_workspaces_or_secrets(client, redis_url, app, make_workspace):
    make_workspace(slug="secretive")
    with registered_worker(redis_url):
        text = client.get("/readyz").get_data(as_text=True)
    assert "secretive" not in text
    assert app.config["SECRET_KEY"] not in text
    assert redis_url not in text


def test_readyz_fails_when_redis_is_stopped(app: Flask, tmp_path):
    """A Redis server of this test's own, stopped under a running app: 503, redis failing."""
    server = EmbeddedRedis().start()
    try:
        own = support.build_app(
            app.config["SQLALCHEMY_DATABASE_URI"], server.url, tmp_path / "instance"
        )
        with registered_worker(server.url):
            assert own.test_client().get("/readyz").status_code == 200
            server.stop()
            response = own.test_client().get("/readyz")
        assert response.status_code == 503
        checks = response.get_json()["checks"]
        assert checks["redis"]["state"] == "fail"
        assert checks["database"]["state"] == "ok"
    finally:
        server.stop()
        with own.app_context():
            db.engine.dispose()


def test_readyz_fails_while_migrations_are_pending_and_tolerates_a_newer_database(
    app, client, redis_url
):
    """Pending migrations (the code is newer): not ready. A database migrated for the next
    release (an unknown revision): still ready, so old web processes serve during a rolling
    upgrade."""
    with db.engine.begin() as connection:
        (head,) = connection.execute(text("SELECT version_num FROM alembic_version")).one()
    try:
        with registered_worker(redis_url):
            with db.engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
            pending = client.get("/readyz")
            with db.engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = 'next_release'"))
            newer = client.get("/readyz")
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert pending.status_code == 503
    assert pending.get_json()["checks"]["migrations"]["detail"].startswith("migrations pending")
    assert newer.status_code == 200
    assert newer.get_json()["checks"]["migrations"]["state"] == "warn"
