"""Signed webhooks: HMAC-SHA256 of "<timestamp>.<raw body>" with the source's secret, within
five minutes of our clock and delivered once, or nothing stored."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from redis import Redis

from tenants.profiles import load_profile
from tests.api_helpers import count
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Deadline, Lead, Role
from webapp.operations import webhooks, workspaces


@pytest.fixture
def hook(make_workspace):
    workspace = make_workspace(slug="dealer", policy_document=load_profile("dealer_bdc"))
    source, secret = webhooks.create_source(workspace, "web_form", "Site form", actor=None)
    return workspace, source, secret


def _stamp(at=None) -> str:
    return str(int((at or now()).timestamp()))


def _post(client, url, payload, secret=None, signature=None, stamp=None, raw=None, **headers):
    raw = raw if raw is not None else json.dumps(payload).encode()
    stamp = stamp or _stamp()
    if signature is None and secret is not None:
        signature = webhooks.sign(secret, raw, stamp)
    if signature is not None:
        headers[webhooks.SIGNATURE_HEADER] = signature
    headers[webhooks.TIMESTAMP_HEADER] = stamp
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


def test_an_unknown_workspace_or_source_or_a_revoked_one_answers_like_a_bad_signature(client, hook):
    """ALL-1, issue 10 item 7: sources cannot be enumerated: an unknown workspace, an unknown
    source and a revoked one are the same 401, with the same body, as a wrong signature."""
    _workspace, source, secret = hook
    payload = {"contact_name": "Zoé"}
    wrong = _post(client, "/hooks/dealer/web_form", payload, signature="sha256=" + "0" * 64)
    answers = [
        _post(client, "/hooks/nowhere/web_form", payload, secret),
        _post(client, "/hooks/dealer/email", payload, secret),
    ]
    webhooks.revoke_source(source, actor=None)
    answers.append(_post(client, "/hooks/dealer/web_form", payload, secret))
    for answer in answers:
        assert answer.status_code == 401 and answer.json == wrong.json
    assert count(Lead) == 0


def test_a_signed_but_invalid_body_is_4xx_naming_the_field(client, hook):
    _workspace, _source, secret = hook
    invalid = _post(client, "/hooks/dealer/web_form", {"contact_name": "Z", "phone": "x"}, secret)
    assert invalid.status_code == 422 and invalid.json["error"]["fields"][0]["path"] == "phone"
    malformed = _post(client, "/hooks/dealer/web_form", None, secret, raw=b"{oops")
    assert malformed.status_code == 400 and count(Lead) == 0


def test_a_retried_webhook_with_the_same_external_id_returns_the_first_lead(client, hook):
    _workspace, _source, secret = hook
    payload = {"contact_name": "Zoé", "external_id": "form-77"}
    first = _post(client, "/hooks/dealer/web_form", payload, secret)
    later = _stamp(now() + timedelta(seconds=30))  # a retry is signed anew
    again = _post(client, "/hooks/dealer/web_form", payload, secret, stamp=later)
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


@time_machine.travel(datetime(2026, 3, 10, 18, 0, tzinfo=UTC), tick=False)  # noon in Mexico
def test_a_signed_request_sent_three_times_makes_one_lead_and_one_clock(
    client, make_workspace, make_member
):
    """ALL-4, issue 10 item 7: a replay of a delivered request (same timestamp, body and
    signature) is a 409 and stores nothing: one lead, one CCIMA-6 contact SLA."""
    workspace = make_workspace(
        slug="cc", country="MX", policy_document=load_profile("ccima_contact_center")
    )
    advisor = make_member(workspace, Role.AGENT)
    team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
    for membership in advisor.memberships:  # on this month's roster, confirmed (CCIMA-4)
        membership.roster_month = now().date().replace(day=1)
        membership.roster_confirmed_at = now() - timedelta(days=1)
        membership.team_id = team.id  # the advisors' team receives the leads (CCIMA-1)
    db.session.commit()
    _source, secret = webhooks.create_source(workspace, "digital_marketing", "Ads", actor=None)
    raw = json.dumps({"contact_name": "Zoé", "phone": "55 1234 5678"}).encode()
    stamp = _stamp()
    send = {"signature": webhooks.sign(secret, raw, stamp), "stamp": stamp, "raw": raw}
    answers = [_post(client, "/hooks/cc/digital_marketing", None, **send) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 409, 409]
    assert answers[1].json["error"]["code"] == "conflict"
    assert count(Lead) == 1
    assert [d["kind"] for d in answers[0].json["deadlines"]] == ["contact_sla"]
    assert count(Deadline) == 1


def test_a_replay_carrying_its_idempotency_key_gets_the_first_lead(client, hook):
    """ALL-4, issue 10 item 7: a replay with the first delivery's Idempotency-Key is answered
    with the first lead (200); with another key it is still a 409, never a second lead."""
    _workspace, _source, secret = hook
    raw = json.dumps({"contact_name": "Zoé"}).encode()
    stamp = _stamp()
    signature = webhooks.sign(secret, raw, stamp)
    send = {"signature": signature, "stamp": stamp, "raw": raw}
    first = _post(client, "/hooks/dealer/web_form", None, **send, **{"Idempotency-Key": "k-1"})
    again = _post(client, "/hooks/dealer/web_form", None, **send, **{"Idempotency-Key": "k-1"})
    other = _post(client, "/hooks/dealer/web_form", None, **send, **{"Idempotency-Key": "k-2"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json["id"] == first.json["id"] and count(Lead) == 1


def test_a_timestamp_outside_five_minutes_is_refused(client, hook):
    """ALL-4, issue 10 item 7: a request signed more than 5 minutes ago (or ahead) is a 401,
    so a captured request cannot be replayed once Redis has forgotten it."""
    _workspace, _source, secret = hook
    payload = {"contact_name": "Zoé"}
    old = _stamp(now() - timedelta(minutes=5, seconds=1))
    ahead = _stamp(now() + timedelta(minutes=6))
    assert _post(client, "/hooks/dealer/web_form", payload, secret, stamp=old).status_code == 401
    assert _post(client, "/hooks/dealer/web_form", payload, secret, stamp=ahead).status_code == 401
    raw = json.dumps(payload).encode()
    body_only = webhooks.sign(secret, raw, "").replace("sha256=", "")
    legacy = _post(client, "/hooks/dealer/web_form", None, signature=body_only, raw=raw)
    assert legacy.status_code == 401 and count(Lead) == 0
    recent = _stamp(now() - timedelta(minutes=4))
    assert _post(client, "/hooks/dealer/web_form", payload, secret, stamp=recent).status_code == 201


def test_a_replay_after_the_window_is_refused_by_its_timestamp(client, hook):
    """ALL-4, issue 10 item 7: the same signed request ten minutes later is a 401."""
    _workspace, _source, secret = hook
    raw = json.dumps({"contact_name": "Zoé"}).encode()
    stamp = _stamp()
    send = {"signature": webhooks.sign(secret, raw, stamp), "stamp": stamp, "raw": raw}
    assert _post(client, "/hooks/dealer/web_form", None, **send).status_code == 201
    with time_machine.travel(now() + timedelta(minutes=10)):
        assert _post(client, "/hooks/dealer/web_form", None, **send).status_code == 401
    assert count(Lead) == 1


def test_a_refused_delivery_may_be_sent_again(client, hook):
    """Issue 10 item 7: only delivered requests are remembered: a 422 stores nothing, so its
    signature is not held against a retry."""
    _workspace, _source, secret = hook
    raw = json.dumps({"contact_name": "Z", "phone": "x"}).encode()
    stamp = _stamp()
    send = {"signature": webhooks.sign(secret, raw, stamp), "stamp": stamp, "raw": raw}
    assert _post(client, "/hooks/dealer/web_form", None, **send).status_code == 422
    assert _post(client, "/hooks/dealer/web_form", None, **send).status_code == 422


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_the_readmes_openssl_one_liner_signs_as_leadline_checks():
    """Issue 10 item 7: the README's worked example computes the signature we verify."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    line = next(x for x in readme.splitlines() if x.startswith("SIG=$(printf '%s.%s'"))
    env = {"SECRET": "whsec_example", "BODY": '{"contact_name": "Ada"}', "TS": "1764633600"}
    script = f"{line}\nprintf 'sha256=%s' \"$SIG\""
    shell = {**env, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    out = subprocess.run(
        ["sh", "-c", script], env=shell, capture_output=True, text=True, check=True
    )
    expected = webhooks.sign(env["SECRET"], env["BODY"].encode(), env["TS"])
    assert out.stdout == expected


def test_without_redis_a_webhook_is_refused_not_accepted_unchecked(app, client, hook):
    """Issue 10 item 7: replays cannot be told apart without Redis, so the webhook answers
    503 and stores nothing rather than risk a second lead."""
    _workspace, _source, secret = hook
    working = app.extensions["leadline_redis"]
    app.extensions["leadline_redis"] = Redis.from_url("redis://127.0.0.1:1/0")  # nobody there
    try:
        response = _post(client, "/hooks/dealer/web_form", {"contact_name": "Zoé"}, secret)
    finally:
        app.extensions["leadline_redis"] = working
    assert response.status_code == 503 and response.json["error"]["code"] == "unavailable"
    assert count(Lead) == 0
