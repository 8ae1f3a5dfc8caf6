"""Fixtures: an app on a real database and a real Redis, clean for every test."""

from __future__ import annotations

import contextvars
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from tenants.profiles import load_profile
from tests import support
from webapp.config import SessionLifetime
from webapp.extensions import db
from webapp.models import Lead, Role, User, Workspace
from webapp.operations import leads, users, workspaces
from workers import runtime

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


class IsolatedClient(FlaskClient):
    """Each request runs in its own context, as in production: no `g` or session leaks from
    the test's app context into the request, or from one request into the next."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with support.redis_url() as url:
        yield url


@pytest.fixture(scope="session")
def _migrated_app(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("leadline")
    # Tests move the clock by days with a member signed in: sessions outlive that here, and
    # tests/test_sessions.py puts the real idle timeout and lifetime back to test them.
    forever = SessionLifetime(idle_seconds=10**9, max_seconds=10**9)
    app = support.build_app(
        support.database_url(tmp),
        redis_url,
        tmp / "instance",
        LEADLINE_SESSION_LIFETIME=forever,
        PERMANENT_SESSION_LIFETIME=forever.max_seconds,
    )
    app.test_client_class = IsolatedClient
    support.migrate_fresh(app)
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections now, not whenever the GC gets to them


@pytest.fixture
def app(_migrated_app: Flask, redis_url: str) -> Iterator[Flask]:
    """The app, with an empty database and an empty Redis for this test."""
    Redis.from_url(redis_url).flushdb()
    runtime.use_app(_migrated_app)
    with _migrated_app.app_context():
        yield _migrated_app
        db.session.remove()
    support.wipe(_migrated_app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def redis_conn(app: Flask, redis_url: str) -> Redis:
    return Redis.from_url(redis_url)


@pytest.fixture
def make_workspace(app: Flask) -> Callable[..., Workspace]:
    def make(**overrides: Any) -> Workspace:
        n = next(_sequence)
        fields: dict[str, Any] = {
            "slug": f"ws-{n}",
            "name": f"Workspace {n}",
            "locale": "en",
            "time_zone": "UTC",
            "country": "US",
            "policy_document": load_profile("blank"),
            "actor": None,
        }
        fields.update(overrides)
        return workspaces.create_workspace(fields.pop("slug"), fields.pop("name"), **fields)

    return make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def make(**overrides: Any) -> User:
        n = next(_sequence)
        fields: dict[str, Any] = {
            "email": f"user{n}@example.test",
            "name": f"User {n}",
            "password": PASSWORD,
        }
        fields.update(overrides)
        return users.create_user(
            fields.pop("email"), fields.pop("name"), fields.pop("password"), **fields
        )

    return make


@pytest.fixture
def make_member(make_user: Callable[..., User]) -> Callable[..., User]:
    def make(workspace: Workspace, role: Role = Role.AGENT, **user_fields: Any) -> User:
        user = make_user(**user_fields)
        users.add_member(workspace, user, role, actor=None)
        return user

    return make


@pytest.fixture
def make_lead(make_workspace: Callable[..., Workspace]) -> Callable[..., Lead]:
    def make(workspace: Workspace | None = None, **overrides: Any) -> Lead:
        n = next(_sequence)
        fields: dict[str, Any] = {
            "contact_name": f"Contact {n}",
            "actor": None,
            "phone": f"+1 415 555 {n % 10000:04d}",
        }
        fields.update(overrides)
        return leads.create_lead(workspace or make_workspace(), **fields)

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], None]:
    """Sign `user` in through the real sign-in form."""

    def sign_in(user: User, password: str = PASSWORD) -> None:
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)

    return sign_in


@pytest.fixture
def login_as(
    make_workspace: Callable[..., Workspace],
    make_member: Callable[..., User],
    login: Callable[[User], None],
) -> Callable[..., User]:
    """A new member with `role` in `workspace` (a new one if omitted), signed in."""

    def sign_in(role: Role = Role.AGENT, workspace: Workspace | None = None, **fields: Any) -> User:
        user = make_member(workspace or make_workspace(), role, **fields)
        login(user)
        return user

    return sign_in
