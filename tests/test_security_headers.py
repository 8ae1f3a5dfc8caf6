"""Security headers on every response, signed in or not (issue 10 item 4, ASVS 14.4).

The walk covers `app.url_map`, so a new route is checked without being listed here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from tests.test_tenancy import OBJECT_MAKERS, PLAIN_VALUES
from webapp.models import Role

TEMPLATES = Path(__file__).resolve().parent.parent / "webapp" / "templates"

# Values for URL arguments outside a workspace's objects (any value yields an answer to check).
OTHER_VALUES = {"filename": "app.css", "source": "web", "token": "not-a-token"}


def _url(rule, values: dict) -> str:
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
    assert "<" not in path, f"no value for an argument of {rule.rule}"
    return path


def _methods(rule) -> list[str]:
    return sorted(m for m in rule.methods if m not in {"HEAD", "OPTIONS"})


def _assert_secure_headers(response, what: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, what
    assert "'unsafe-eval'" not in csp and "style-src 'self'" in csp, what
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("Referrer-Policy") == "same-origin", what
    static = what.split()[-1].startswith("/static/")
    assert ("no-store" in headers.get("Cache-Control", "")) != static, what


@pytest.fixture
def workspace_values(make_workspace, make_lead):
    workspace = make_workspace(slug="mine")
    fixtures = {"make_lead": make_lead}

    def values(rule) -> dict:
        found: dict = {"workspace": workspace.slug}
        for arg in rule.arguments - {"workspace"}:
            if arg in OBJECT_MAKERS:
                found[arg] = OBJECT_MAKERS[arg](fixtures, workspace)
            else:
                found[arg] = PLAIN_VALUES.get(arg, OTHER_VALUES.get(arg, "1"))
        return found

    return workspace, values


def test_every_route_answers_with_the_security_headers_when_signed_out(
    app: Flask, client, workspace_values
):
    """issue 10 item 4: CSP without inline script, nosniff, no framing, no caching."""
    _workspace, values = workspace_values
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 40
    for rule in rules:
        for method in _methods(rule):
            url = _url(rule, values(rule))
            with client.open(url, method=method) as response:
                _assert_secure_headers(response, f"{method} {url}")


def test_every_page_a_member_opens_is_never_stored(app: Flask, client, workspace_values, login_as):
    """issue 10 item 4: authenticated pages carry the headers and Cache-Control: no-store."""
    workspace, values = workspace_values
    login_as(Role.ADMIN, workspace)
    answered = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = _url(rule, values(rule))
        with client.get(url) as response:
            _assert_secure_headers(response, f"GET {url}")
            answered += response.status_code == 200
    assert answered > 25  # the walk reached real pages, not only refusals


def test_a_secret_shown_once_is_never_stored(client, make_workspace, login_as):
    """issue 10 item 4: the page showing a new API key is no-store."""
    workspace = make_workspace(slug="acme")
    login_as(Role.ADMIN, workspace)
    page = client.post("/w/acme/settings/api-keys", data={"name": "CRM", "role": "manager"})
    assert page.status_code == 201 and 'id="new-api-key"' in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]
    _assert_secure_headers(page, "POST /w/acme/settings/api-keys")


def test_hsts_only_when_cookies_are_secure(app: Flask, client):
    """issue 10 item 4: Strict-Transport-Security is sent exactly when cookies are Secure."""
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        hsts = client.get("/login").headers["Strict-Transport-Security"]
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert "max-age=31536000" in hsts


INLINE = re.compile(
    r"""\son[a-z]+\s*=|<script(?![^>]*\ssrc=)|<style|\sstyle\s*=|javascript:|hx-on|"""
    r"""hx-trigger="[^"]*\[|hx-vals=['"]\s*js:""",
    re.IGNORECASE,
)


def test_no_template_holds_inline_script_handlers_or_styles():
    """issue 10 item 4: nothing the CSP would block (or htmx would need eval for) is written."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)!r}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE.finditer(path.read_text())
    ]
    assert offenders == []
