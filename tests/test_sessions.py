"""Sessions end when they should (issue 10 item 5, ASVS 3.3.1-3.3.3, 3.2.1, 3.4.1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from webapp.config import SessionLifetime, Settings
from webapp.extensions import db
from webapp.models import AuditEvent, Role
from webapp.operations.users import change_password, deactivate_user

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def member(make_workspace, make_member):
    return make_member(make_workspace(slug="acme"), Role.AGENT)


@pytest.fixture
def real_lifetime(app, monkeypatch):
    """The production defaults (the suite's app keeps sessions alive across clock jumps)."""
    monkeypatch.setitem(app.config, "LEADLINE_SESSION_LIFETIME", SessionLifetime())
    return SessionLifetime()


def _user_events(user):
    return select(AuditEvent.action).where(
        AuditEvent.subject_type == "users", AuditEvent.subject_id == user.id
    )


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _opens_dashboard(app, cookie: str) -> bool:
    other_device = app.test_client()
    other_device.set_cookie("session", cookie)
    return other_device.get("/w/acme/").status_code == 200


def test_a_cookie_copied_before_sign_out_no_longer_opens_the_dashboard(app, client, member, login):
    """issue 10 item 5: sign-out ends the session server-side, not only in this browser."""
    login(member)
    copied = _session_cookie(client)
    assert _opens_dashboard(app, copied)
    assert client.post("/logout").status_code == 302
    assert not _opens_dashboard(app, copied)


def test_a_password_change_ends_every_session_of_the_user(app, client, member, login):
    """issue 10 item 5: after a password change no earlier cookie works."""
    login(member)
    copied = _session_cookie(client)
    change_password(member, "a brand new secret", actor=None)
    assert client.get("/w/acme/").status_code == 302
    assert not _opens_dashboard(app, copied)
    login(member, "a brand new secret")
    assert client.get("/w/acme/").status_code == 200
    events = db.session.scalars(_user_events(member))
    assert "user.password_changed" in list(events)


def test_deactivating_a_user_ends_their_sessions_and_sign_in(app, client, member, login):
    """issue 10 item 5: a deactivated user is signed out at once and cannot sign back in."""
    login(member)
    deactivate_user(member, actor=None)
    assert client.get("/w/acme/").status_code == 302
    events = db.session.scalars(_user_events(member))
    assert "user.deactivated" in list(events)
    response = client.post(
        "/login", data={"email": member.email, "password": "correct horse battery"}
    )
    assert response.status_code == 401


def test_a_cookie_without_a_session_epoch_is_not_signed_in(client, member):
    """issue 10 item 5: a cookie naming only the user id (the old format) opens nothing."""
    with client.session_transaction() as session:
        session["_user_id"] = str(member.id)
        session["_fresh"] = True
    assert client.get("/w/acme/").status_code == 302


def test_sign_in_starts_a_new_session_with_a_new_csrf_token(client, member):
    """issue 10 item 5: the CSRF token (and anything else) from before sign-in is dropped."""
    client.get("/login")
    with client.session_transaction() as session:
        before = session["csrf_token"]
        session["planted"] = "by someone else"
    client.post("/login", data={"email": member.email, "password": "correct horse battery"})
    client.get("/w/acme/")
    with client.session_transaction() as session:
        assert session["csrf_token"] != before
        assert "planted" not in session


def test_an_idle_session_ends_after_the_idle_timeout(client, member, login, real_lifetime):
    """issue 10 item 5: requests keep a session alive; 30 minutes without one end it."""
    idle = timedelta(seconds=real_lifetime.idle_seconds)
    with time_machine.travel(T0, tick=False) as clock:
        login(member)
        for _ in range(3):
            clock.shift(idle - timedelta(minutes=1))
            assert client.get("/w/acme/").status_code == 200
        clock.shift(idle + timedelta(seconds=1))
        response = client.get("/w/acme/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_session_ends_after_its_absolute_lifetime_even_when_used(
    client, member, login, real_lifetime
):
    """issue 10 item 5: 12 hours after sign-in the session ends however busy it was."""
    end = T0 + timedelta(seconds=real_lifetime.max_seconds)
    with time_machine.travel(T0, tick=False) as clock:
        login(member)
        while datetime.now(UTC) <= end:
            assert client.get("/w/acme/").status_code == 200
            clock.shift(timedelta(minutes=20))
        assert client.get("/w/acme/").status_code == 302


def test_an_htmx_fragment_asked_for_when_signed_out_loads_the_sign_in_page(client, member):
    """issue 10 items 2 and 5: HX-Redirect to sign-in, back to the page (a path of ours)."""
    headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost/w/acme/queue/?q=a"}
    response = client.get("/w/acme/queue/", headers=headers)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/w/acme/queue/?q%3Da"
    foreign = {**headers, "HX-Current-URL": "https://evil.example/w/acme/"}
    response = client.get("/w/acme/queue/", headers=foreign)
    assert response.headers["HX-Redirect"] == "/login"


@pytest.mark.parametrize(
    ("base_url", "secure_cookies", "expected"),
    [
        ("https://leads.example.com", None, True),
        ("http://127.0.0.1:5000", None, False),
        ("https://leads.example.com", "false", False),
        ("http://127.0.0.1:5000", "true", True),
    ],
)
def test_cookies_are_secure_by_default_on_an_https_site(
    tmp_path, monkeypatch, base_url, secure_cookies, expected
):
    """issue 10 item 5: LEADLINE_BASE_URL https means Secure cookies unless told otherwise."""
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("LEADLINE_BASE_URL", base_url)
    if secure_cookies is None:
        monkeypatch.delenv("LEADLINE_SECURE_COOKIES", raising=False)
    else:
        monkeypatch.setenv("LEADLINE_SECURE_COOKIES", secure_cookies)
    config = Settings.from_env(tmp_path).flask_config()
    assert config["SESSION_COOKIE_SECURE"] is expected
    assert config["REMEMBER_COOKIE_SECURE"] is expected


def test_the_cli_sets_a_password_and_deactivates_ending_sessions(
    app, client, member, login, runner
):
    """issue 10 item 5: operators can end a user's sessions from the command line."""
    login(member)
    result = runner.invoke(
        args=["user", "set-password", "--email", member.email.upper(), "--password", "new secret 1"]
    )
    assert result.exit_code == 0, result.output
    assert client.get("/w/acme/").status_code == 302
    login(member, "new secret 1")
    result = runner.invoke(args=["user", "deactivate", "--email", member.email])
    assert result.exit_code == 0, result.output
    assert client.get("/w/acme/").status_code == 302
    assert runner.invoke(args=["user", "deactivate", "--email", "ghost@x.test"]).exit_code == 2
