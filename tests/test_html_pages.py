"""Every page is well-formed HTML, as every role sees it in the demo (issue 9 item 11).

A strict HTML5 parser reads each GET route's full page (and its htmx fragment) as one member of
each role in each demo workspace. A broken tag is invisible with JavaScript on and fatal with it
off: the sign-in form once lacked its closing `>`, which swallowed the CSRF field into the tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import html5lib
import pytest
from flask import Flask

from tests.test_tenancy import OBJECT_MAKERS, PLAIN_VALUES, _build
from webapp.demo import seed_demo
from webapp.extensions import db
from webapp.models import Lead, Membership, User, Workspace

PASSWORD = "demo-password-for-html"

# Routes that answer something other than a page (downloads, streams) or act on a GET.
NOT_PAGES = {"auth.logout", "static"}


def _problems(html: str, fragment: bool) -> list[str]:
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    (parser.parseFragment if fragment else parser.parse)(html)
    problems = []
    for (line, column), code, data in parser.errors:
        # Our pages start with <!doctype html>; a fragment has none by design.
        if fragment and code == "expected-doctype-but-got-start-tag":
            continue
        source_line = html.splitlines()[line - 1] if line else ""
        problems.append(f"{line}:{column} {code} {data or ''} | {source_line.strip()[:120]}")
    return problems


def _page_rules(app: Flask) -> list:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_PAGES
    ]


def _members(workspace: Workspace) -> Iterator[Membership]:
    """One member of each role in the workspace."""
    seen = set()
    for member in db.session.query(Membership).filter_by(workspace_id=workspace.id):
        if member.role not in seen:
            seen.add(member.role)
            yield member


def _url_values(rule, workspace: Workspace) -> dict[str, object] | None:
    values: dict[str, object] = {}
    for arg in rule.arguments:
        if arg == "workspace":
            values[arg] = workspace.slug
        elif arg == "lead_id":
            lead = db.session.query(Lead).filter_by(workspace_id=workspace.id).first()
            values[arg] = lead.id
        elif arg in PLAIN_VALUES:
            values[arg] = PLAIN_VALUES[arg]
        elif arg in OBJECT_MAKERS:
            values[arg] = OBJECT_MAKERS[arg]({}, workspace)
        else:
            return None  # a token or secret in the path: not a page a member browses to
    return values


@pytest.fixture
def demo(app):
    seed_demo(PASSWORD)
    return db.session.query(Workspace).order_by(Workspace.slug).all()


def test_every_page_is_well_formed_html_for_every_role(app, demo):
    """Issue 9 item 11: no page, as any role, has a parse error."""
    rules = [r for r in _page_rules(app) if r.rule.startswith("/w/<workspace>")]
    failures: list[str] = []
    pages = 0
    for workspace in demo:
        for member in _members(workspace):
            user = db.session.get(User, member.user_id)
            client = app.test_client()
            signed_in = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert signed_in.status_code == 302, user.email
            for rule in rules:
                values = _url_values(rule, workspace)
                if values is None:
                    continue
                url = _build(rule, values)
                for htmx in (False, True):
                    headers = {"HX-Request": "true"} if htmx else {}
                    response = client.get(url, headers=headers)
                    if response.status_code != 200 or response.mimetype != "text/html":
                        continue
                    pages += 1
                    html = response.get_data(as_text=True)
                    # A boosted or whole-page htmx answer is a document; a named block is not.
                    fragment = not html.lstrip().lower().startswith("<!doctype")
                    for problem in _problems(html, fragment):
                        failures.append(f"{member.role.value} {url} (htmx={htmx}): {problem}")
    assert pages > 100
    assert not failures, "\n".join(failures[:40])


def test_public_pages_are_well_formed_html(app, client):
    """Issue 9 item 11: the sign-in page, the language page and the error pages parse cleanly."""
    failures = []
    for url in ("/login", "/no-such-page", "/password/forgot", "/invitation/not-a-token"):
        response = client.get(url)
        failures += [f"{url}: {p}" for p in _problems(response.get_data(as_text=True), False)]
    assert not failures, "\n".join(failures)


def test_the_sign_in_form_carries_its_csrf_field(app):
    """Issue 9 item 11: with JavaScript off, the form posts the CSRF token it renders."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = app.test_client().get("/login").get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    document = html5lib.parse(page, namespaceHTMLElements=False)
    form = next(f for f in document.iter("form") if f.get("action", "").startswith("/login"))
    names = [field.get("name") for field in form.iter("input")]
    assert "csrf_token" in names and "email" in names
    assert not any(re.match(r"[<{]", name) for name in form.attrib)


def test_a_persons_own_pages_are_well_formed_html(app, demo):
    """Issue 12: the profile, the workspace picker and a new workspace parse cleanly."""
    client = app.test_client()
    client.post("/login", data={"email": "admin@leadline.test", "password": PASSWORD})
    failures = []
    for url in ("/profile", "/workspaces", "/workspaces/new"):
        response = client.get(url)
        assert response.status_code == 200, url
        failures += [f"{url}: {p}" for p in _problems(response.get_data(as_text=True), False)]
    assert not failures, "\n".join(failures)
