"""The leads API: intake, idempotency, duplicates, pages, activities, assignment, status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, select

from tenants.profiles import load_profile
from tests.api_helpers import NOON_IN_MEXICO, ccima_with_advisors, count, key_headers
from webapp.extensions import db
from webapp.models import AuditEvent, Lead, Role, Task
from webapp.operations import workspaces


@pytest.fixture
def ccima(make_workspace, make_member):
    """The CCIMA policy with two advisors on this month's roster, confirmed (CCIMA-2, 4)."""
    return ccima_with_advisors(make_workspace, make_member, advisors=2)


@pytest.fixture
def bdc(make_workspace):
    return make_workspace(
        slug="bdc", country="CA", locale="fr", policy_document=load_profile("dealer_bdc")
    )


def lead_body(**fields):
    return {
        "contact_name": "Ana García",
        "source": "digital_marketing",
        "phone": "55 1234 5678",
        **fields,
    }


def test_ccima_1_6_a_posted_lead_is_assigned_and_its_contact_clock_is_listed(client, ccima):
    workspace, people = ccima
    headers = key_headers(workspace)
    with time_machine.travel(NOON_IN_MEXICO, tick=False):
        response = client.post(
            "/api/v1/leads", json=lead_body(phone="55 1234 5678"), headers=headers
        )
    assert response.status_code == 201
    lead = response.json
    assert lead["owner"] == {"id": people[0].id, "name": "Asesor 0"}
    assert lead["phone"] == "+525512345678" and lead["channel"] == "api"
    assert lead["policy_version"] == 1 and lead["invalidated"] == [] and not lead["joined"]
    assert [d["kind"] for d in lead["deadlines"]] == ["contact_sla"]
    due = datetime.fromisoformat(lead["deadlines"][0]["due_at"])
    assert due == NOON_IN_MEXICO + timedelta(minutes=10)


def test_a_retry_with_the_same_external_id_or_idempotency_key_is_200_and_the_same_lead(
    client, ccima
):
    workspace, _people = ccima
    headers = key_headers(workspace)
    with time_machine.travel(NOON_IN_MEXICO, tick=False):
        first = client.post("/api/v1/leads", json=lead_body(external_id="crm-1"), headers=headers)
        retry = client.post("/api/v1/leads", json=lead_body(external_id="crm-1"), headers=headers)
        keyed = {**headers, "Idempotency-Key": "k-1"}
        b_lead = lead_body(contact_name="B", phone="55 9999 0000")
        third = client.post("/api/v1/leads", json=b_lead, headers=keyed)
        again = client.post("/api/v1/leads", json=b_lead, headers=keyed)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json["id"] == first.json["id"]
    assert (third.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == third.json["id"]
    assert count(Lead) == 2


def test_bdc_2_through_the_api_the_phone_up_lists_the_invalidated_email_lead(
    client, bdc, make_member
):
    email_agent, phone_agent = make_member(bdc, Role.AGENT), make_member(bdc, Role.AGENT)
    headers = key_headers(bdc)
    email_lead = client.post(
        "/api/v1/leads",
        json={
            "contact_name": "Louis",
            "email": "louis@courriel.test",
            "phone": "514 555 0188",
            "channel": "email",
            "taken_by": email_agent.id,
        },
        headers=headers,
    ).json
    response = client.post(
        "/api/v1/leads",
        json={
            "contact_name": "Louis Bélanger",
            "phone": "(514) 555-0188",
            "channel": "phone_up",
            "taken_by": phone_agent.id,
        },
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json["invalidated"] == [email_lead["id"]]
    assert response.json["owner"]["id"] == phone_agent.id
    loser = client.get(f"/api/v1/leads/{email_lead['id']}", headers=headers).json
    assert loser["status"] == "invalid" and loser["duplicate_of"] == response.json["id"]


def test_bdc_7_a_known_customer_request_joins_the_file_with_200(client, bdc, make_member):
    agent = make_member(bdc, Role.AGENT)
    headers = key_headers(bdc)
    first = client.post(
        "/api/v1/leads",
        json={
            "contact_name": "Kevin",
            "email": "k.lavoie@courriel.test",
            "channel": "email",
            "taken_by": agent.id,
        },
        headers=headers,
    )
    again = client.post(
        "/api/v1/leads",
        json={"contact_name": "Kevin Lavoie", "email": "K.Lavoie@courriel.test", "channel": "web"},
        headers=headers,
    )
    assert again.status_code == 200
    assert again.json["joined"] is True and again.json["id"] == first.json["id"]
    assert count(Lead) == 1


def test_bad_input_is_422_naming_each_field_and_nothing_is_stored(client, make_workspace):
    workspace = make_workspace(policy_document=load_profile("cpb_partner_leads"))
    headers = key_headers(workspace)
    response = client.post(
        "/api/v1/leads",
        json={
            "contact_name": "Pat",
            "company": "Acme",
            "email": "pat@acme.test",
            "phone": "not a phone",
            "lead_type": "OQL",
            "attributes": {"partner": "p1", "authority": "CIO"},
        },
        headers=headers,
    )
    assert response.status_code == 422
    paths = {f["path"] for f in response.json["error"]["fields"]}
    assert {"phone", "attributes.budget", "attributes.timescale"} <= paths
    typed = client.post(
        "/api/v1/leads", json={"contact_name": "", "surprise": 1, "taken_by": "x"}, headers=headers
    )
    assert typed.status_code == 422
    # The shape's errors, and what the policy refuses in the rest (issue 9 item 19).
    assert {f["path"] for f in typed.json["error"]["fields"]} == {
        "contact_name",
        "surprise",
        "taken_by",
        "company",
        "email",
        "lead_type",
        "attributes.partner",
    }
    nul = client.post("/api/v1/leads", json={"contact_name": "A\x00B"}, headers=headers)
    assert nul.status_code == 422 and nul.json["error"]["fields"][0]["path"] == "contact_name"
    assert count(Lead) == 0


def test_malformed_json_is_400_and_a_missing_or_unknown_key_401(client, make_workspace):
    headers = key_headers(make_workspace())
    malformed = client.post(
        "/api/v1/leads", data="{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400 and malformed.json["error"]["code"] == "bad_request"
    assert client.post("/api/v1/leads", json=[1], headers=headers).status_code == 400
    assert client.get("/api/v1/leads").status_code == 401
    assert client.get("/api/v1/leads", headers={"Authorization": "Bearer x"}).status_code == 401
    assert client.get("/api/v1/leads/99999999999", headers=headers).status_code == 404


def test_a_key_of_workspace_a_gets_404_for_workspace_b_leads(client, make_workspace, make_lead):
    mine, theirs = make_workspace(), make_workspace()
    headers = key_headers(mine, role="manager")
    lead = make_lead(theirs)
    for method, suffix, body in (
        ("GET", "", None),
        ("POST", "/activities", {"channel": "call"}),
        ("POST", "/status", {"status": "won"}),
        ("POST", "/assign", {"owner_id": 1}),
    ):
        response = client.open(
            f"/api/v1/leads/{lead.id}{suffix}", method=method, json=body, headers=headers
        )
        assert response.status_code == 404, (method, suffix)
    listing = client.get("/api/v1/leads", headers=headers).json
    assert listing == {"leads": [], "next_cursor": None}


def test_cursor_pagination_walks_every_lead_once_oldest_change_first(
    client, make_workspace, make_lead, make_member
):
    workspace = make_workspace()
    agent = make_member(workspace, Role.AGENT)
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    made = []
    for n in range(7):
        # Two leads share each moment: the cursor's id breaks the tie.
        with time_machine.travel(start + timedelta(minutes=n // 2), tick=False):
            made.append(make_lead(workspace, owner=agent if n % 3 == 0 else None).id)
    headers = key_headers(workspace)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/leads?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=headers).json
        seen += [lead["id"] for lead in page["leads"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made and pages == 3
    mine = client.get(f"/api/v1/leads?owner={agent.id}", headers=headers).json["leads"]
    assert [lead["id"] for lead in mine] == made[0::3]
    nobody = client.get("/api/v1/leads?owner=none", headers=headers).json["leads"]
    assert len(nobody) == 4
    since = (start + timedelta(minutes=2)).isoformat()
    recent = client.get("/api/v1/leads", query_string={"updated_since": since}, headers=headers)
    assert [lead["id"] for lead in recent.json["leads"]] == made[4:]
    bad = client.get("/api/v1/leads?cursor=nonsense&limit=0", headers=headers)
    assert bad.status_code == 422
    assert {f["path"] for f in bad.json["error"]["fields"]} == {"limit"}
    assert client.get("/api/v1/leads?cursor=nonsense", headers=headers).status_code == 422


def _queries(app, client, url, headers) -> int:
    statements = []

    def record(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_a_page_of_leads_costs_the_same_queries_for_3_or_30_leads(
    app, client, make_workspace, make_lead, make_member
):
    workspace = make_workspace(policy_document=load_profile("ccima_contact_center"))
    owners = [make_member(workspace, Role.AGENT) for _ in range(3)]
    for n in range(30):
        make_lead(workspace, owner=owners[n % 3])
    headers = key_headers(workspace)
    client.get("/api/v1/leads", headers=headers)  # the key's last use is written once
    small = _queries(app, client, "/api/v1/leads?limit=3", headers)
    large = _queries(app, client, "/api/v1/leads?limit=30", headers)
    assert small == large


@pytest.fixture
def l411(make_workspace, make_member):

    workspace = make_workspace(slug="l411", policy_document=load_profile("locals411_cpt_ae"))
    for code in ("cpt", "ae", "ret"):
        workspaces.create_team(workspace, code.upper(), actor=None, code=code)
    return workspace, make_member(workspace, Role.AGENT, name="Simon Vale")


def _l411_lead(client, workspace, headers) -> dict:
    from webapp.operations import accounts

    accounts.upsert_account(workspace, "BO-1", name="Harbor Plumbing", actor=None)
    response = client.post(
        "/api/v1/leads",
        json={"contact_name": "Customer", "phone": "+1 415 555 0101", "account_ref": "BO-1"},
        headers=headers,
    )
    assert response.status_code == 201, response.json
    return response.json


def test_l411_10_an_outcome_posted_as_an_activity_applies_its_effects(client, l411):
    workspace, _cpt = l411
    headers = key_headers(workspace)
    lead = _l411_lead(client, workspace, headers)
    response = client.post(
        f"/api/v1/leads/{lead['id']}/activities",
        json={"channel": "call", "outcome": "no_did_not_answer", "note": "voicemail"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json["status"] == "callback_due"
    assert db.session.scalar(select(Task.kind).where(Task.lead_id == lead["id"])) == "callback"
    unknown = client.post(
        f"/api/v1/leads/{lead['id']}/activities", json={"outcome": "maybe"}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json["error"]["fields"][0]["path"] == "outcome"
    assert "yes_not_interested" in unknown.json["error"]["fields"][0]["message"]
    plain = client.post(
        f"/api/v1/leads/{lead['id']}/activities", json={"channel": "sms"}, headers=headers
    )
    assert plain.status_code == 200 and plain.json["status"] == "callback_due"


def test_assigning_needs_a_manager_key_and_is_audited_with_the_key(client, l411):
    workspace, cpt = l411
    agent_headers = key_headers(workspace)
    lead = _l411_lead(client, workspace, agent_headers)
    refused = client.post(
        f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": cpt.id}, headers=agent_headers
    )
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    manager_headers = key_headers(workspace, role="manager")
    response = client.post(
        f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": cpt.id}, headers=manager_headers
    )
    assert response.status_code == 200 and response.json["owner"]["id"] == cpt.id
    event_ = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "lead.assigned", AuditEvent.subject_id == lead["id"])
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert event_.actor_id is None and "API key 'manager key'" in event_.reason
    outsider = client.post(
        f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": 999999}, headers=manager_headers
    )
    assert outsider.status_code == 422
    assert outsider.json["error"]["fields"][0]["path"] == "owner_id"


def test_l411_12_status_won_with_revenue_and_an_unknown_status_is_422(client, l411):
    workspace, _cpt = l411
    headers = key_headers(workspace)
    lead = _l411_lead(client, workspace, headers)
    won = client.post(
        f"/api/v1/leads/{lead['id']}/status",
        json={"status": "won", "revenue": "1250.50"},
        headers=headers,
    )
    assert won.status_code == 200
    assert won.json["status"] == "won" and won.json["attributes"]["revenue"] == "1250.50"
    for body, path in (
        ({"status": "maybe"}, "status"),
        ({"status": "won", "revenue": "-3"}, "revenue"),
        ({"status": "won", "revenue": "NaN"}, "revenue"),
    ):
        response = client.post(f"/api/v1/leads/{lead['id']}/status", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json["error"]["fields"][0]["path"] == path


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(app, client, make_workspace):
    headers = key_headers(make_workspace())
    app.config["LEADLINE_API_RATE_LIMIT"] = 3
    try:
        with time_machine.travel(datetime(2026, 11, 2, 9, 0, 10, tzinfo=UTC), tick=False):
            statuses = [client.get("/api/v1/workspace", headers=headers) for _ in range(4)]
    finally:
        app.config["LEADLINE_API_RATE_LIMIT"] = 600
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert statuses[0].headers["X-RateLimit-Remaining"] == "2"
    assert statuses[3].headers["Retry-After"] == "50"
    assert statuses[3].json["error"]["code"] == "rate_limited"
