"""Signed webhooks: HMAC-SHA256 of the raw body with the source's secret, or nothing stored."""

from __future__ import annotations

import json

import pytest

from tenants.profiles import load_profile
from tests.api_helpers import count
from webapp.models import Lead
from webapp.operations import webhooks
from webapp.operations.users import UserError


@pytest.fixture
def hook(make_workspace):
    workspace = make_workspace(slug="dealer", policy_document=load_profile("dealer_bdc"))
    source, secret = webhooks.create_source(workspace, "web_form", "Site form", actor=None)
    return workspace, source, secret


def _post(client, url, payload, secret=None, signature=None, **headers):
    raw = json.dumps(payload).encode()
    if signature is None and secret is not None:
        signature = webhooks.sign(secret, raw)
    if signature is not None:
        headers[webhooks.SIGNATURE_HEADER] = signature
    return client.post(url, data=raw, headers={"Content-Type": "application/json", **headers})


def test_a_signed_request_stores_the_lead_with_the_hooks_source(client, hook):
    _workspace, _source, secret = hook
    response = _post(
        client, "/hooks/dealer/web_form", {"contact_name": "Zoé", "phone": "514 555 0100"}, secret
    )
    assert response.status_code == 201
    assert response.json["source"] == "web_form" and response.json["channel"] == "webhook"
    assert count(Lead) == 1


def test_a_bad_or_missing_signature_is_401_and_nothing_is_stored(client, hook):
    payload = {"contact_name": "Zoé"}
    wrong = _post(client, "/hooks/dealer/web_form", payload, signature="sha256=" + "0" * 64)
    other_secret = _post(client, "/hooks/dealer/web_form", payload, secret="whsec_other")
    missing = _post(client, "/hooks/dealer/web_form", payload)
    garbage = _post(client, "/hooks/dealer/web_form", payload, signature="sha256=é")
    assert [r.status_code for r in (wrong, other_secret, missing, garbage)] == [401] * 4
    assert wrong.json["error"]["code"] == "unauthorized"
    assert count(Lead) == 0


def test_an_unknown_workspace_or_source_or_a_revoked_one_is_404(client, hook):
    _workspace, source, secret = hook
    payload = {"contact_name": "Zoé"}
    assert _post(client, "/hooks/nowhere/web_form", payload, secret).status_code == 404
    assert _post(client, "/hooks/dealer/email", payload, secret).status_code == 404
    webhooks.revoke_source(source, actor=None)
    assert _post(client, "/hooks/dealer/web_form", payload, secret).status_code == 404
    assert count(Lead) == 0


def test_a_signed_but_invalid_body_is_4xx_naming_the_field(client, hook):
    _workspace, _source, secret = hook
    invalid = _post(client, "/hooks/dealer/web_form", {"contact_name": "Z", "phone": "x"}, secret)
    assert invalid.status_code == 422 and invalid.json["error"]["fields"][0]["path"] == "phone"
    raw = b"{oops"
    malformed = client.post(
        "/hooks/dealer/web_form",
        data=raw,
        headers={webhooks.SIGNATURE_HEADER: webhooks.sign(secret, raw)},
    )
    assert malformed.status_code == 400 and count(Lead) == 0


def test_a_retried_webhook_with_the_same_external_id_returns_the_first_lead(client, hook):
    _workspace, _source, secret = hook
    payload = {"contact_name": "Zoé", "external_id": "form-77"}
    first = _post(client, "/hooks/dealer/web_form", payload, secret)
    again = _post(client, "/hooks/dealer/web_form", payload, secret)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"] and count(Lead) == 1


def test_webhooks_need_no_csrf_token(app, client, hook):
    _workspace, _source, secret = hook
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = _post(client, "/hooks/dealer/web_form", {"contact_name": "Zoé"}, secret)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 201


def test_a_source_must_be_one_of_the_policys_sources(hook):
    workspace, _source, _secret = hook
    with pytest.raises(UserError) as refused:
        webhooks.create_source(workspace, "billboard", "Billboard", actor=None)
    assert refused.value.field == "source_code" and "web_form" in str(refused.value)
    with pytest.raises(UserError):
        webhooks.create_source(workspace, "web_form", "Second", actor=None)
