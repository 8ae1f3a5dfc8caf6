"""The partner portal over the API (issue 13 item 10): a partner organisation's key sees and
works only its organisation's leads (CPB-10); the agency's manager key allocates."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.test_partner_portal import T0, cpb_workspace, qualified
from webapp.extensions import db
from webapp.models import Activity, DealRegistration, Lead, LeadFeedback, Opportunity
from webapp.operations.api_keys import create_api_key


@pytest.fixture(autouse=True)
def _an_hour_after_allocation():
    with time_machine.travel(T0 + timedelta(hours=1), tick=True):
        yield


@pytest.fixture
def cpb(make_workspace, make_user):
    return cpb_workspace(make_workspace, make_user)


def _headers(cpb, organisation=None, role="agent") -> dict[str, str]:
    _key, secret = create_api_key(
        cpb.workspace, "partner CRM", actor=None, role=role, partner_organisation=organisation
    )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def two_leads(cpb):
    return qualified(cpb), qualified(cpb, organisation=cpb.harbour, name="Hana Harbour")


def test_cpb_10_a_partner_key_lists_and_reads_only_its_organisations_leads(client, cpb, two_leads):
    north_lead, harbour_lead = two_leads
    headers = _headers(cpb, cpb.north)
    listed = client.get("/api/v1/leads", headers=headers).get_json()["leads"]
    assert [lead["id"] for lead in listed] == [north_lead.id]
    assert client.get(f"/api/v1/leads/{harbour_lead.id}", headers=headers).status_code == 404
    for path, payload in (
        ("acknowledge", None),
        ("attempts", {"channel": "call"}),
        ("stage", {"stage": "proposal"}),
        ("feedback", {"reason": "other", "comment": "x"}),
    ):
        response = client.post(
            f"/api/v1/leads/{harbour_lead.id}/{path}", headers=headers, json=payload or {}
        )
        assert response.status_code == 404, path
    assert (
        client.get(f"/api/v1/leads/{harbour_lead.id}/invite.ics", headers=headers).status_code
        == 404
    )
    assert db.session.scalar(select(Activity.id)) is None


def test_cpb_10_a_partner_key_may_not_call_the_agencys_routes(client, cpb, two_leads):
    headers = _headers(cpb, cpb.north)
    response = client.post(
        "/api/v1/leads", headers=headers, json={"contact_name": "Sneaky", "phone": "+447700900001"}
    )
    assert response.status_code == 403


def test_cpb_2_to_7_a_partner_system_works_its_lead_over_the_api(client, cpb, two_leads):
    lead, _ = two_leads
    headers = _headers(cpb, cpb.north)
    url = f"/api/v1/leads/{lead.id}"
    assert client.post(f"{url}/acknowledge", headers=headers).status_code == 200
    assert client.post(f"{url}/acknowledge", headers=headers).status_code == 409
    attempt = client.post(
        f"{url}/attempts", headers=headers, json={"channel": "voicemail", "message": "Hello Ian"}
    )
    assert attempt.status_code == 200
    refused = client.post(f"{url}/attempts", headers=headers, json={"channel": "sms"})
    assert refused.status_code == 422
    bad_stage = client.post(f"{url}/stage", headers=headers, json={"stage": "dreaming"})
    assert bad_stage.status_code == 422
    assert "qualification, discovery" in bad_stage.get_json()["error"]["fields"][0]["message"]
    won = client.post(f"{url}/stage", headers=headers, json={"stage": "won", "deal_value": "9"})
    assert won.status_code == 422
    assert {f["path"] for f in won.get_json()["error"]["fields"]} == {"deal_registration"}
    deal = {
        "vendor": "Fleetio",
        "deal_value": "40000",
        "currency": "GBP",
        "expected_close": "2027-02-28",
        "crm_reference": "NW-1042",
    }
    assert client.post(f"{url}/deal-registration", headers=headers, json=deal).status_code == 200
    assert (
        client.post(
            f"{url}/stage", headers=headers, json={"stage": "won", "deal_value": "40000"}
        ).status_code
        == 200
    )
    feedback = client.post(
        f"{url}/feedback", headers=headers, json={"reason": "duplicate", "comment": "Known"}
    )
    assert feedback.status_code == 200
    assert db.session.scalar(select(Opportunity.stage)) == "won"
    assert db.session.scalar(select(DealRegistration.crm_reference)) == "NW-1042"
    assert db.session.scalar(select(LeadFeedback.reason)) == "duplicate"
    ics = client.get(f"{url}/invite.ics", headers=headers)
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(ics.data).walk("VEVENT")


def test_cpb_10_the_agency_allocates_over_the_api_and_the_first_organisation_loses_it(
    client, cpb, two_leads
):
    lead, _ = two_leads
    north = _headers(cpb, cpb.north)
    response = client.post(
        f"/api/v1/leads/{lead.id}/allocate",
        headers=_headers(cpb, role="manager"),
        json={"partner_organisation": cpb.harbour.id},
    )
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).partner_organisation_id == cpb.harbour.id
    assert client.get(f"/api/v1/leads/{lead.id}", headers=north).status_code == 404
    bad = client.post(
        f"/api/v1/leads/{lead.id}/allocate",
        headers=_headers(cpb, role="manager"),
        json={"partner_organisation": 999999, "partner_user": 999999},
    )
    assert bad.status_code == 422
    assert {f["path"] for f in bad.get_json()["error"]["fields"]} == {
        "partner_organisation",
        "partner_user",
    }
    # An agent key may not allocate.
    agent = client.post(
        f"/api/v1/leads/{lead.id}/allocate",
        headers=_headers(cpb),
        json={"partner_organisation": cpb.north.id},
    )
    assert agent.status_code == 403


def test_cpb_6_the_api_takes_the_policys_own_voicemail_fields(client, make_workspace, make_user):
    """CPB-6: over the API a voicemail records the policy's `voicemail_fields`; `details`
    carries the ones the body has no field for, and codes the policy does not list are dropped."""
    document = load_profile("cpb_partner_leads")
    document["records"]["contact_attempts"]["voicemail_fields"] = ["number", "callback_time"]
    cpb = cpb_workspace(make_workspace, make_user, document)
    lead = qualified(cpb)
    response = client.post(
        f"/api/v1/leads/{lead.id}/attempts",
        headers=_headers(cpb, cpb.north),
        json={
            "channel": "voicemail",
            "number": "+44 20 7946 0018",
            "details": {"callback_time": "16:00", "actor": "x", "planted": "y"},
        },
    )
    assert response.status_code == 200, response.get_json()
    voicemail = db.session.scalar(select(Activity).where(Activity.channel == "voicemail"))
    assert voicemail.details == {"number": "+44 20 7946 0018", "callback_time": "16:00"}
