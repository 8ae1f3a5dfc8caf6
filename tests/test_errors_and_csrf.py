"""Bad input gets a clear answer, never a 500; CSRF protects every form and htmx request."""

from __future__ import annotations

import re

import pytest

from tests import support
from webapp.extensions import db
from webapp.models import Role


@pytest.fixture
def csrf_client(app, tmp_path):
    """A client of the same database with CSRF protection switched on, as in production."""
    protected = support.build_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["REDIS_URL"],
        tmp_path,
        WTF_CSRF_ENABLED=True,
    )
    protected.test_client_class = app.test_client_class
    yield protected.test_client()
    with protected.app_context():
        db.engine.dispose()  # its own connection pool: close it, do not leave it to the GC


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_form_post_without_csrf_token_is_refused_with_a_message(
    csrf_client, make_member, make_workspace
):
    user = make_member(make_workspace())
    response = csrf_client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_form_post_with_the_pages_token_signs_in(csrf_client, make_member, make_workspace):
    user = make_member(make_workspace())
    token = _token(csrf_client.get("/login").get_data(as_text=True))
    response = csrf_client.post(
        "/login",
        data={"email": user.email, "csrf_token": token, "password": "correct horse battery"},
    )
    assert response.status_code == 302


def test_htmx_request_sends_the_token_in_a_header(csrf_client, make_member, make_workspace):
    user = make_member(make_workspace())
    page = csrf_client.get("/login").get_data(as_text=True)
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    response = csrf_client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery"},
        headers={"X-CSRFToken": header_token, "HX-Request": "true"},
    )
    assert response.status_code == 302


def test_unknown_page_is_a_clear_404(client):
    response = client.get("/nothing/here")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_api_errors_are_json_with_code_and_message(client):
    response = client.get("/api/v1/workspace")
    assert response.status_code == 401
    assert response.json == {
        "error": {
            "code": "unauthorized",
            "fields": [],
            "message": "send 'Authorization: Bearer <API key>'",
        }
    }
    response = client.get("/api/v1/workspace", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json["error"]["message"] == "unknown or revoked API key"


def test_revoked_api_key_is_refused(client, make_workspace):
    from webapp.operations.api_keys import create_api_key, revoke_api_key

    key, secret = create_api_key(make_workspace(), "old", actor=None)
    revoke_api_key(key, actor=None)
    response = client.get("/api/v1/workspace", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_htmx_request_gets_the_fragment_and_a_boosted_one_the_page(
    client, make_workspace, make_lead, login_as
):
    workspace = make_workspace(slug="frag")
    login_as(Role.AGENT, workspace)
    make_lead(workspace, contact_name="Zoe Fragment")
    fragment = client.get("/w/frag/leads?q=zoe", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="lead-results">')
    assert "Zoe Fragment" in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get("/w/frag/leads", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)
    plain = client.get("/w/frag/leads?q=nobody")
    assert "<html" in plain.get_data(as_text=True) and "No leads match." in plain.get_data(
        as_text=True
    )
