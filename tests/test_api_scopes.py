"""API keys act within a scope: every API route declares the least key role it needs in one
table, the OpenAPI document shows it, and a key below it gets the standard 403."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.api_helpers import count, key_headers
from webapp.api.blueprint import ENDPOINTS, endpoint, endpoint_of
from webapp.extensions import db
from webapp.models import ApiKey, PolicyVersion, Role
from webapp.operations.api_keys import KEY_ROLES, key_may
from webapp.settings.forms import ROLE_LABELS


def _api_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api.")
    ]


def test_every_api_route_declares_the_key_role_it_needs(app):
    """ALL-1, issue 10 item 3: each route in app.url_map under /api/v1 is in the one table
    with a known role; only the OpenAPI document and the signed webhook need no key."""
    rules = _api_rules(app)
    assert len(rules) >= 14
    for rule in rules:
        entry = endpoint_of(rule.endpoint)
        assert entry is not None, rule.rule
        assert entry.role in KEY_ROLES, rule.rule
    public = {e.rule for e in ENDPOINTS if e.public}
    assert public == {"/api/v1/openapi.json", "/hooks/<workspace>/<source>"}
    needs = {(e.method, e.rule): e.role for e in ENDPOINTS}
    assert needs[("PUT", "/api/v1/policy")] == "director"
    assert needs[("POST", "/api/v1/leads/<int:lead_id>/assign")] == "manager"
    assert needs[("GET", "/api/v1/leads")] == "agent"


def test_a_keyed_route_without_a_role_cannot_be_declared():
    """ALL-1, issue 10 item 3: forgetting the role fails at import, not in production."""
    with pytest.raises(ValueError, match="declare role"):
        endpoint("GET", "/nothing", summary="x", responses={200: None})


def test_the_openapi_document_shows_each_operations_role(client):
    """ALL-1, issue 10 item 3: x-required-role and the roles allowed in security."""
    document = client.get("/api/v1/openapi.json").json
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            if op["security"] == []:
                continue
            role = op["x-required-role"]
            assert op["security"] == [{"bearer": [r for r in KEY_ROLES if key_may(r, role)]}]
            if role != "agent":
                assert "403" in op["responses"], (method, path)
    put = document["paths"]["/api/v1/policy"]["put"]
    assert put["x-required-role"] == "director"
    assert put["security"] == [{"bearer": ["director", "admin"]}]


def test_an_agent_key_cannot_replace_the_live_policy(client, make_workspace):
    """ALL-2, issue 10 item 3: a PUT /api/v1/policy with an agent (or manager) key is a 403
    with the standard error body, and no version is stored or activated."""
    workspace = make_workspace(slug="acme", policy_document=load_profile("ccima_contact_center"))
    before = workspace.active_policy_version_id
    document = dict(workspace.active_policy_version.document)
    for role in ("agent", "manager"):
        response = client.put("/api/v1/policy", json=document, headers=key_headers(workspace, role))
        assert response.status_code == 403, role
        error = response.json["error"]
        assert error["code"] == "forbidden"
        assert set(error) >= {"code", "message", "fields"} and "director" in error["message"]
    assert count(PolicyVersion) == 1
    db.session.refresh(workspace)
    assert workspace.active_policy_version_id == before
    for role in ("director", "admin"):
        response = client.put("/api/v1/policy", json=document, headers=key_headers(workspace, role))
        assert response.status_code == 201, response.json
    assert count(PolicyVersion) == 3


def _call(client, e, headers):
    path = re.sub(r"<(?:\w+:)?(\w+)>", "1", e.rule)
    return client.open(path, method=e.method, json={}, headers=headers)


def test_every_route_refuses_a_key_below_its_role(client, make_workspace):
    """ALL-1, issue 10 item 3: enumerate the table; every key role below a route's role gets
    a 403 with the standard error body, every role at or above gets past the check."""
    workspace = make_workspace(slug="acme")
    headers = {role: key_headers(workspace, role) for role in KEY_ROLES}
    keyed = [e for e in ENDPOINTS if not e.public]
    assert keyed
    for e in keyed:
        for role in KEY_ROLES:
            response = _call(client, e, headers[role])
            if key_may(role, e.role):
                assert response.status_code != 403, (e.method, e.rule, role)
            else:
                assert response.status_code == 403, (e.method, e.rule, role)
                assert set(response.json["error"]) == {"code", "message", "fields"}


def test_an_admin_chooses_every_key_role_in_settings_and_the_cli(
    client, runner, make_workspace, login_as
):
    """ALL-1, issue 10 item 3: Settings → API keys and `leadline api-key create --role` offer
    every key role."""
    assert set(ROLE_LABELS) == set(KEY_ROLES)
    workspace = make_workspace(slug="acme")
    login_as(Role.ADMIN, workspace)
    page = client.get("/w/acme/settings/api-keys").get_data(as_text=True)
    for role in KEY_ROLES:
        assert f'value="{role}"' in page
    created = client.post("/w/acme/settings/api-keys", data={"name": "Ops", "role": "director"})
    assert created.status_code == 201
    result = runner.invoke(
        args=["api-key", "create", "--workspace", "acme", "--name", "Root", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    roles = sorted(db.session.scalars(select(ApiKey.role)).all())
    assert roles == ["admin", "director"]
