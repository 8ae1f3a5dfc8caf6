"""Hostile input is bounded: deep JSON and YAML, huge values and bodies, non-JSON YAML tags,
an empty policy saved by mistake, a reused Idempotency-Key, a reassignment to a stranger."""

from __future__ import annotations

import json

import pytest

from tenants.profiles import load_profile
from tests.api_helpers import count, key_headers
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Lead, PolicyVersion, Role
from webapp.operations import webhooks
from webapp.policy import documents

DEEP_JSON = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"contact_name": "Zoé", "attributes": ' + '{"a": ' * 1000 + "1" + "}" * 1001


@pytest.fixture
def acme(make_workspace):
    return make_workspace(slug="acme", policy_document=load_profile("dealer_bdc"))


def _json_post(client, url, raw: str | bytes, headers, method="POST"):
    return client.open(
        url, method=method, data=raw, headers={"Content-Type": "application/json", **headers}
    )


def test_json_nested_a_thousand_deep_is_a_400_on_every_api_body(client, acme):
    """ALL-2, issue 10 item 8: /api/v1/leads, PUT /api/v1/policy and the webhook refuse JSON
    nested beyond the limit with a JSON 400 (it was a RecursionError, a 500)."""
    agent, director = key_headers(acme, "agent"), key_headers(acme, "director")
    source, secret = webhooks.create_source(acme, "web_form", "Form", actor=None)
    for raw in (DEEP_JSON, DEEP_OBJECT, '{"a": ' * 25 + "1" + "}" * 25):
        answers = [
            _json_post(client, "/api/v1/leads", raw, agent),
            _json_post(client, "/api/v1/policy", raw, director, method="PUT"),
            _json_post(client, "/api/v1/accounts", raw, agent),
        ]
        stamp = str(int(now().timestamp()))
        signed = {
            webhooks.TIMESTAMP_HEADER: stamp,
            webhooks.SIGNATURE_HEADER: webhooks.sign(secret, raw.encode(), stamp),
        }
        answers.append(_json_post(client, f"/hooks/acme/{source.source_code}", raw, signed))
        for answer in answers:
            assert answer.status_code == 400, (answer.request.path, answer.get_data()[:200])
            assert answer.json["error"]["code"] == "bad_request"
    assert count(Lead) == 0 and count(PolicyVersion) == 1


def test_a_huge_attribute_value_or_body_is_refused(client, acme):
    """ALL-2, issue 10 item 8: a 5 MB attribute value is a JSON 413 (the API's body limit);
    a value over 1,000 characters, or attributes over 10,000 bytes in all, a 422."""
    headers = key_headers(acme, "agent")
    huge = {"contact_name": "Zoé", "attributes": {"notes": "x" * 5_000_000}}
    too_large = client.post("/api/v1/leads", json=huge, headers=headers)
    assert too_large.status_code == 413 and too_large.json["error"]["code"] == "too_large"
    long_value = {"contact_name": "Zoé", "attributes": {"notes": "x" * 1001}}
    refused = client.post("/api/v1/leads", json=long_value, headers=headers)
    assert refused.status_code == 422
    assert refused.json["error"]["fields"][0]["path"].startswith("attributes.notes")
    many = {"contact_name": "Zoé", "attributes": {f"f{n}": "y" * 900 for n in range(12)}}
    refused = client.post("/api/v1/leads", json=many, headers=headers)
    assert refused.status_code == 422 and refused.json["error"]["fields"][0]["path"] == "attributes"
    assert count(Lead) == 0
    fine = {"contact_name": "Zoé", "attributes": {"notes": "x" * 1000}}
    assert client.post("/api/v1/leads", json=fine, headers=headers).status_code == 201
    hook = client.post("/hooks/acme/web_form", json=huge)
    assert hook.status_code == 413 and hook.json["error"]["code"] == "too_large"


def test_json_without_json_numbers_is_refused(client, acme):
    """Issue 10 item 8: NaN, Infinity and 1e999 are not JSON numbers a database can keep."""
    headers = key_headers(acme, "agent")
    for raw in (
        '{"contact_name": "Z", "attributes": {"x": NaN}}',
        '{"contact_name": "Z", "attributes": {"x": 1e999}}',
    ):
        assert _json_post(client, "/api/v1/leads", raw, headers).status_code in (400, 422)
    assert count(Lead) == 0


def test_an_idempotency_key_reused_with_another_body_is_a_422(client, acme):
    """ALL-3, issue 10 item 8: the same Idempotency-Key with the same body returns the first
    lead (200); with a different body it is a 422, not the first lead silently."""
    headers = key_headers(acme, "agent", **{"Idempotency-Key": "order-1"})
    first = client.post("/api/v1/leads", json={"contact_name": "Zoé"}, headers=headers)
    same = client.post("/api/v1/leads", json={"contact_name": "Zoé"}, headers=headers)
    other = client.post("/api/v1/leads", json={"contact_name": "Yves"}, headers=headers)
    assert (first.status_code, same.status_code, other.status_code) == (201, 200, 422)
    assert same.json["id"] == first.json["id"]
    assert other.json["error"]["fields"][0]["path"] == "Idempotency-Key"
    assert count(Lead) == 1


@pytest.fixture
def editor(client, make_workspace, login_as):
    workspace = make_workspace(slug="cc", policy_document=load_profile("ccima_contact_center"))
    login_as(Role.ADMIN, workspace)
    return workspace


def test_deep_yaml_in_the_policy_editor_is_an_error_not_a_500(client, editor):
    """ALL-2, issue 10 item 8: the validator and the editor refuse YAML nested 1,000 deep."""
    block = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 300))  # under 256 KiB
    for text in ("[" * 1000 + "]" * 1000, block):
        checked = client.post("/w/cc/policy/validate", data={"document": text})
        assert checked.status_code == 200 and "nested deeper than 20" in checked.get_data(
            as_text=True
        )
        saved = client.post("/w/cc/policy/edit", data={"document": text, "comment": "deep"})
        assert saved.status_code == 422 and "nested deeper than 20" in saved.get_data(as_text=True)
    assert count(PolicyVersion) == 1


@pytest.mark.parametrize(
    "text",
    [
        "name: !!binary aGVsbG8=",
        "name: !!python/object/apply:os.system ['true']",
        "name: !!set {a, b}",
        "name: &n CCIMA\nformat_version: *n",
        "name: !local x",
    ],
)
def test_non_json_yaml_tags_are_refused_in_the_policy_editor(client, editor, text):
    """ALL-2, issue 10 item 8: the editor's loader is restricted to JSON's types."""
    saved = client.post("/w/cc/policy/edit", data={"document": text, "comment": "tags"})
    assert saved.status_code == 422 and "not allowed" in saved.get_data(as_text=True)
    assert count(PolicyVersion) == 1


def test_dates_in_the_editor_stay_text_the_policy_reads(client, editor):
    """Issue 10 item 8: without YAML's timestamp type the CCIMA holidays still validate."""
    document = editor.active_policy_version.document
    text = documents.to_yaml(document).replace("'2026-", "2026-")
    assert documents.parse_yaml(text) is not None
    documents.validate(documents.parse_yaml(text))


def test_saving_an_empty_policy_asks_for_confirmation(client, editor):
    """ALL-2, issue 10 item 8: an empty document (or section) is not saved until the editor
    ticks the confirmation; then it is."""
    for url in ("/w/cc/policy/edit", "/w/cc/policy/sections/timers/yaml"):
        for text in ("", "  \n", "{}"):
            asked = client.post(url, data={"document": text, "comment": "oops"})
            assert asked.status_code == 422, (url, text)
            html = asked.get_data(as_text=True)
            assert 'name="confirm_empty"' in html and "confirm_empty-errors" in html
    assert count(PolicyVersion) == 1
    confirmed = client.post(
        "/w/cc/policy/edit", data={"document": "{}", "comment": "reset", "confirm_empty": "y"}
    )
    assert confirmed.status_code == 302 and count(PolicyVersion) == 2


def test_reassigning_to_another_workspaces_user_does_not_name_them(
    client, make_workspace, make_member, make_lead, login
):
    """ALL-1, issue 10 item 8: the refusal says "not a member of this workspace" without the
    name of a user of another workspace."""
    shop = make_workspace(slug="shop")
    other = make_workspace(slug="other")
    stranger = make_member(other, Role.AGENT, name="Secret Stranger")
    manager = make_member(shop, Role.MANAGER)
    lead = make_lead(shop, contact_name="Stay Put")
    login(manager)
    response = client.post(
        f"/w/shop/queue/leads/{lead.id}/reassign",
        data={"to": stranger.id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "not a member of this workspace" in html and "Secret Stranger" not in html
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).owner_id is None


def test_api_bodies_are_json_only(client, acme):
    """Issue 10 item 8: a body that is not JSON is still the plain 400."""
    headers = key_headers(acme, "agent")
    assert _json_post(client, "/api/v1/leads", b"\xff\xfe", headers).status_code == 400
    assert _json_post(client, "/api/v1/leads", json.dumps([1]), headers).status_code == 400


def test_an_idempotency_key_that_joined_a_file_is_refused_with_another_body(
    client, make_workspace, make_member
):
    """BDC-7, issue 10 item 8: a keyed request that joined a known customer's file, sent again
    with the key and the same body, joins nothing twice; with another body it is a 422."""
    bdc = make_workspace(slug="bdc", country="CA", policy_document=load_profile("dealer_bdc"))
    agent = make_member(bdc, Role.AGENT)
    headers = key_headers(bdc)
    known = {"contact_name": "Kevin", "email": "k@courriel.test", "channel": "email"}
    client.post("/api/v1/leads", json={**known, "taken_by": agent.id}, headers=headers)
    keyed = {**headers, "Idempotency-Key": "web-9"}
    body = {"contact_name": "Kevin Lavoie", "email": "K@courriel.test", "channel": "web"}
    joined = client.post("/api/v1/leads", json=body, headers=keyed)
    assert joined.status_code == 200 and joined.json["joined"] is True
    again = client.post("/api/v1/leads", json=body, headers=keyed)
    assert again.status_code == 200 and again.json["id"] == joined.json["id"]
    other = client.post("/api/v1/leads", json={**body, "contact_name": "Other"}, headers=keyed)
    assert other.status_code == 422
    assert other.json["error"]["fields"][0]["path"] == "Idempotency-Key"
    assert count(Lead) == 1


def test_an_empty_policy_over_the_api_needs_confirm_empty(client, acme):
    """ALL-2, issue 10 item 8: PUT /api/v1/policy with {} is a 422 unless confirmed."""
    headers = key_headers(acme, "director")
    refused = client.put("/api/v1/policy", json={}, headers=headers)
    assert (
        refused.status_code == 422
        and "confirm_empty" in refused.json["error"]["fields"][0]["message"]
    )
    assert count(PolicyVersion) == 1
    confirmed = client.put("/api/v1/policy?confirm_empty=true", json={}, headers=headers)
    assert confirmed.status_code == 201 and count(PolicyVersion) == 2
