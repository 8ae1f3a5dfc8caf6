"""`next` parameters lead only to paths on this site (issue 10 item 2, ASVS 5.1.5)."""

from __future__ import annotations

import pytest

from webapp.models import Role
from webapp.redirects import safe_next

# Targets that a browser reads as another origin, or that become one once decoded or repaired.
BYPASSES = [
    "//evil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\evil.example",
    "\\\\evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%252F/evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http://evil.example",
    "https://evil.example/w/acme/",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    " /w/acme/",
    "/w/acme/\x7f",
    "/w/acme/\u0085",
    "",
]

SAFE = ["/w/acme/", "/w/acme/queue/?status=new&q=a%20b", "/workspaces", "/w/acme/leads/7#notes"]


@pytest.mark.parametrize("target", BYPASSES)
def test_known_open_redirect_bypasses_are_refused(target):
    """issue 10 item 2: no target that a browser reads as another origin is accepted."""
    assert safe_next(target) is None


@pytest.mark.parametrize("target", SAFE)
def test_paths_on_this_site_are_kept_as_they_are(target):
    """issue 10 item 2: a real path on this site (with its query) survives unchanged."""
    assert safe_next(target) == target


@pytest.mark.parametrize("target", BYPASSES)
def test_sign_in_never_redirects_to_a_bypass(client, make_member, make_workspace, target):
    """issue 10 item 2: `/login?next=` falls back to the user's workspace, by htmx too."""
    user = make_member(make_workspace(slug="home"), Role.AGENT)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": "correct horse battery"},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/w/home/"
    assert "HX-Redirect" not in response.headers and "HX-Location" not in response.headers


def test_sign_in_follows_a_path_on_this_site(client, make_member, make_workspace):
    """issue 10 item 2: a same-site `next` is still honoured after sign-in."""
    user = make_member(make_workspace(slug="home"), Role.AGENT)
    response = client.post(
        "/login?next=/w/home/queue/",
        data={"email": user.email, "password": "correct horse battery"},
    )
    assert response.headers["Location"] == "/w/home/queue/"


@pytest.mark.parametrize("target", BYPASSES)
def test_language_choice_never_redirects_to_a_bypass(client, target):
    """issue 10 item 2: `/language`'s `next` falls back to the front door."""
    response = client.post("/language", data={"locale": "fr", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_every_redirect_of_a_signed_in_user_stays_on_site(client, make_workspace, login):
    """issue 10 item 2: the workspace picker link carries no foreign `next` either."""
    from webapp.operations.users import add_member, create_user

    first, second = make_workspace(), make_workspace()
    user = create_user("two@example.test", "Two", "correct horse battery")
    add_member(first, user, Role.AGENT, actor=None)
    add_member(second, user, Role.AGENT, actor=None)
    login(user)
    response = client.get("/", query_string={"next": "/\t/evil.example"})
    assert response.headers["Location"] == "/workspaces"
