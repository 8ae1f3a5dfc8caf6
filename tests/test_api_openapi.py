"""The OpenAPI document covers the whole API, the docs page reads it, and no generated input
makes the API answer with a 5xx (schemathesis)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from webapp.models import Role
from webapp.operations import accounts, webhooks
from webapp.operations.api_keys import KEY_ROLES


def _document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def test_the_document_is_openapi_3_1_and_lists_every_api_route(app, client):
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    documented = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    routed = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/api/v1", "/hooks/"))
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == documented


def test_every_operation_documents_its_errors_with_the_error_shape(client):
    document = _document(client)
    error_ref = "#/components/schemas/ErrorOut"
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            statuses = set(op["responses"])
            if op.get("security") != []:
                assert {"401", "429"} <= statuses, (method, path)
            if "requestBody" in op:
                assert {"400", "422"} <= statuses, (method, path)
            if "{" in path and path.startswith("/api"):
                assert "404" in statuses, (method, path)
            for status, response in op["responses"].items():
                if status >= "400":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": error_ref}, (method, path, status)
    assign = document["paths"]["/api/v1/leads/{lead_id}/assign"]["post"]
    assert "403" in assign["responses"] and "manager" in assign["description"]
    assert assign["x-required-role"] == "manager"


def test_the_docs_page_shows_every_endpoint_and_loads_nothing_from_elsewhere(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path in _document(client)["paths"]:
        assert path in html
    assert "Idempotency-Key" in html and "schema-LeadIn" in html and "Ana García" in html
    assert not re.search(r'<script[^>]+src="(https?:)?//', html)


@pytest.fixture
def fuzzed_api(app, make_workspace, make_member, make_lead):
    """A 411 Locals workspace with a lead, an account and a webhook, and a key per role."""
    app.config["LEADLINE_API_RATE_LIMIT"] = 0  # generated tests send hundreds of requests
    workspace = make_workspace(slug="fuzz", policy_document=load_profile("locals411_cpt_ae"))
    make_member(workspace, Role.AGENT)
    account, _ = accounts.upsert_account(workspace, "BO-1", name="Harbor", actor=None)
    known = {
        "lead_id": make_lead(workspace).id,
        "account_id": account.id,
        "workspace": workspace.slug,
        "source": webhooks.create_source(workspace, "cpt_call", "Calls", actor=None)[0].source_code,
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    yield schema, {role: key_headers(workspace, role=role) for role in KEY_ROLES}, known
    app.config["LEADLINE_API_RATE_LIMIT"] = 600


# Bounded and repeatable for CI: few examples per operation, derandomized, no example database.
FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("role", KEY_ROLES)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_gets_a_5xx(fuzzed_api, mode, role):
    """Issue 10 item 3: with one key per role (a key below a route's role gets 403s), no
    generated request is answered with a 5xx."""
    schema, keys, known = fuzzed_api
    headers = keys[role]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:
        # Existing rows in the path, so the bodies reach the operations instead of a 404.
        names = {p.name for p in operation.path_parameters}
        fixed = {name: value for name, value in known.items() if name in names}

        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
        def call(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)

        call()
