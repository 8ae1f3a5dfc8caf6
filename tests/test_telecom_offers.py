"""Inbound-call offers through the API and the screen (TEL-1..TEL-10)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.api_helpers import count, key_headers
from webapp.extensions import db
from webapp.models import (
    Accrual,
    AuditEvent,
    Interaction,
    Membership,
    Notification,
    Offer,
    Role,
    Task,
)
from webapp.operations import campaigns
from webapp.tenancy import scoped

CTN = "9161234567"


@pytest.fixture
def telecom(make_workspace, make_member):
    ws = make_workspace(
        slug="tele", locale="en", policy_document=load_profile("telecom_inbound_offers")
    )
    contact = make_member(ws, Role.MANAGER, email="pavel.smirnov@telecom.leadline.test")
    agent = make_member(ws, Role.AGENT)
    second = make_member(ws, Role.AGENT)
    member = db.session.scalar(
        scoped(Membership, workspace=ws).where(Membership.user_id == second.id)
    )
    member.line = "second"  # TEL-8: set here, edited on the people pages
    db.session.commit()
    return ws, agent, second, contact


def _campaigns(client, headers):
    for body in (
        {
            "code": "INBA",
            "name": "Internet bundle",
            "priority": 2,
            "active": True,
            "script": "Offer INBA",
        },
        {
            "code": "ROAM",
            "name": "Roaming",
            "priority": 1,
            "active": True,
            "exceptions": {"tariffs": ["CORP"], "services": []},
        },
        {
            "code": "TV",
            "name": "TV",
            "priority": 3,
            "active": True,
            "targets": ["+7 900 000-00-01"],
            "exceptions": {"tariffs": [], "services": ["NO_ADS"]},
        },
    ):
        assert client.post("/api/v1/campaigns", json=body, headers=headers).status_code == 201


def _call(client, headers, agent, **extra):
    response = client.post(
        "/api/v1/interactions", json={"ctn": CTN, "agent": agent.id, **extra}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_offers_in_priority_order_with_exceptions_hidden_and_reported_once_tel1_tel9(
    client, telecom
):
    ws, agent, _second, contact = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    plain = _call(client, headers, agent)
    assert [o["campaign"] for o in plain["offers"]] == ["ROAM", "INBA"]  # TV targets one number
    corp = _call(client, headers, agent, tariff="CORP")
    assert [o["campaign"] for o in corp["offers"]] == ["INBA"]
    _call(client, headers, agent, tariff="CORP")
    reported = db.session.scalars(
        select(Notification).where(Notification.template == "offer_exception_ctn")
    ).all()
    assert [n.recipient_user_id for n in reported] == [contact.id]  # once per number and campaign
    assert reported[0].payload["ctn"] == CTN


def test_answers_only_move_to_yes_and_409_names_the_allowed_moves_tel3_tel4(client, telecom):
    ws, agent, _s, _c = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    call = _call(client, headers, agent)
    url = f"/api/v1/interactions/{call['id']}/answers"
    assert (
        client.post(url, json={"campaign": "INBA", "answer": "think"}, headers=headers).status_code
        == 201
    )
    refused = client.post(url, json={"campaign": "INBA", "answer": "no"}, headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["allowed"] == ["YES"]
    assert (
        client.post(url, json={"campaign": "INBA", "answer": "yes"}, headers=headers).status_code
        == 200
    )
    final = client.post(url, json={"campaign": "INBA", "answer": "no"}, headers=headers)
    assert final.status_code == 409 and final.get_json()["error"]["allowed"] == []
    assert db.session.scalar(select(Offer.answer)) == "YES"
    bad = client.post(url, json={"campaign": "NOPE", "answer": "maybe"}, headers=headers)
    assert bad.status_code == 422


def test_think_creates_the_policy_callback_and_late_yes_counts_for_the_original_tel5(
    client, telecom
):
    ws, agent, _s, _c = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    call = _call(client, headers, agent)
    client.post(
        f"/api/v1/interactions/{call['id']}/answers",
        json={"campaign": "ROAM", "answer": "think"},
        headers=headers,
    )
    task = db.session.scalar(select(Task))
    assert task.kind == "offer_callback" and task.assignee_id == agent.id
    assert task.due_at - task.created_at >= timedelta(days=2) - timedelta(minutes=1)
    client.post(f"/api/v1/interactions/{call['id']}/close", headers=headers)
    late = client.post(
        f"/api/v1/customers/{CTN}/offers",
        json={"campaign": "ROAM", "answer": "yes"},
        headers=headers,
    )
    assert late.status_code == 200 and late.get_json()["interaction_id"] == call["id"]
    no = client.post(
        f"/api/v1/customers/{CTN}/offers",
        json={"campaign": "ROAM", "answer": "no"},
        headers=headers,
    )
    assert no.status_code == 409
    archive = client.get(f"/api/v1/customers/{CTN}/offers", headers=headers).get_json()
    assert [(o["campaign"], o["answer"]) for o in archive["offers"]] == [("ROAM", "YES")]
    report = client.get("/api/v1/reports/offer-rate?group_by=campaign", headers=headers).get_json()
    assert report["yes"] == 1 and report["rows"][0]["key"] == "Roaming"


def test_offer_rate_counts_missed_sales_and_leaves_out_oso_second_line_and_exceptions_tel6_to_tel9(
    client, telecom
):
    ws, agent, second, _c = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)

    def closed(who, answer=None, split=None, **extra):
        call = _call(client, headers, who, **extra)
        if answer:
            client.post(
                f"/api/v1/interactions/{call['id']}/answers",
                json={"campaign": "INBA", "answer": answer},
                headers=headers,
            )
        if split:
            r = client.post(
                f"/api/v1/interactions/{call['id']}/transfer",
                json={"split": split},
                headers=headers,
            )
            assert r.status_code == 200, r.get_json()
        return client.post(f"/api/v1/interactions/{call['id']}/close", headers=headers).get_json()

    assert closed(agent, "yes")["outcome"] == "offered"
    assert closed(agent, "no")["outcome"] == "offered"
    assert closed(agent)["missed_sale"] is True
    assert closed(agent, split="OSO")["outcome"] == "transferred"
    assert closed(second)["outcome"] == "second_line"
    # Every campaign excluded for this number: no offer, and no missed sale.
    client.patch(
        "/api/v1/campaigns/INBA",
        json={"exceptions": {"tariffs": ["CORP"], "services": []}},
        headers=headers,
    )
    assert closed(agent, tariff="CORP")["outcome"] == "exception"
    report = client.get("/api/v1/reports/offer-rate", headers=headers).get_json()
    assert (report["counted"], report["offered"], report["missed"]) == (3, 2, 1)
    assert report["excluded"] == {"transferred": 1, "second_line": 1, "exception": 1}
    assert report["rate"] == pytest.approx(66.7) and report["target"] == 85


def test_transfer_to_ivr_before_an_offer_needs_confirming_tel2(client, telecom):
    ws, agent, _s, _c = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    call = _call(client, headers, agent)
    url = f"/api/v1/interactions/{call['id']}/transfer"
    assert client.post(url, json={"split": "ivr"}, headers=headers).status_code == 409
    assert (
        client.post(url, json={"split": "ivr", "confirm": True}, headers=headers).status_code == 200
    )
    assert client.post(url, json={"split": "moon"}, headers=headers).status_code == 422


def test_second_line_sees_the_customer_but_makes_no_offer_tel8(client, telecom):
    ws, _agent, second, _c = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    call = _call(client, headers, second)
    refused = client.post(
        f"/api/v1/interactions/{call['id']}/answers",
        json={"campaign": "INBA", "answer": "yes"},
        headers=headers,
    )
    assert refused.status_code == 409 and count(Offer) == 0


def test_accrual_needs_consent_and_a_category_and_is_audited_tel10(client, telecom):
    ws, agent, _s, _c = telecom
    headers = key_headers(ws, "manager")
    call = _call(client, headers, agent)
    url = f"/api/v1/interactions/{call['id']}/accruals"
    bad = client.post(
        url,
        json={"category": "gift", "amount": "5", "consent": False, "subject": ""},
        headers=headers,
    )
    assert bad.status_code == 422
    assert {f["path"] for f in bad.get_json()["error"]["fields"]} >= {
        "category",
        "consent",
        "subject",
    }
    good = client.post(
        url,
        json={
            "kind": "fee_credit",
            "category": "technological",
            "amount": "150.00",
            "consent": True,
            "subject": "FC for INBA",
            "comment": "fee",
        },
        headers=headers,
    )
    assert good.status_code == 201 and count(Accrual) == 1
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "accrual.added"))
        is not None
    )


def test_campaign_api_refuses_bad_fields_together(client, telecom):
    ws, *_ = telecom
    headers = key_headers(ws, "manager")
    bad = client.post(
        "/api/v1/campaigns",
        json={"code": "1x", "name": "A", "priority": 0, "targets": ["12"]},
        headers=headers,
    )
    assert bad.status_code == 422
    assert (
        client.post("/api/v1/interactions", json={"ctn": "12"}, headers=headers).status_code == 422
    )


# --- Through the screen ----------------------------------------------------------------------


def test_screen_records_answers_and_refuses_yes_to_no_tel1_tel4(client, telecom, login):
    ws, agent, _s, _c = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    login(agent)
    opened = client.post("/w/tele/interactions/", data={"ctn": "+7 (916) 123-45-67"})
    assert opened.status_code == 302
    interaction = db.session.scalar(select(Interaction))
    page = client.get(f"/w/tele/interactions/{interaction.id}").get_data(as_text=True)
    assert page.index("Roaming") < page.index("Internet bundle")
    client.post(
        f"/w/tele/interactions/{interaction.id}/answers", data={"campaign": "INBA", "answer": "YES"}
    )
    refused = client.post(
        f"/w/tele/interactions/{interaction.id}/answers", data={"campaign": "INBA", "answer": "NO"}
    )
    assert refused.status_code == 409 and "YES is final" in refused.get_data(as_text=True)
    reminder = client.post(f"/w/tele/interactions/{interaction.id}/transfer", data={"split": "ivr"})
    assert reminder.status_code == 302  # an offer was made: no reminder
    assert client.post(f"/w/tele/interactions/{interaction.id}/close").status_code == 302
    db.session.expire_all()
    assert db.session.get(Interaction, interaction.id).outcome == "offered"


def test_screen_bad_number_is_named_beside_the_field(client, telecom, login):
    _ws, agent, _s, _c = telecom
    login(agent)
    page = client.post("/w/tele/interactions/", data={"ctn": "12ab"})
    assert page.status_code == 422 and "10 digits" in page.get_data(as_text=True)


def test_telephony_call_opens_the_agents_screen_through_the_live_poll(client, telecom, login):
    ws, agent, _s, _c = telecom
    login(agent)
    start = client.get("/w/tele/interactions/incoming?v=0&after=0", headers={"HX-Request": "true"})
    assert start.status_code == 204
    call = _call(client, key_headers(ws), agent)
    moved = client.get("/w/tele/interactions/incoming?v=0&after=0", headers={"HX-Request": "true"})
    assert moved.headers["HX-Redirect"].endswith(f"/interactions/{call['id']}")


def test_report_page_and_csv_escape_formulas(client, telecom, login, make_member):
    ws, _agent, _s, _c = telecom
    manager = make_member(ws, Role.MANAGER, name="=HYPERLINK()")
    headers = key_headers(ws)
    _call(client, headers, manager)
    client.post(
        f"/api/v1/interactions/{db.session.scalar(select(Interaction.id))}/close", headers=headers
    )
    login(manager)
    assert client.get("/w/tele/interactions/report").status_code == 200
    csv_text = client.get("/w/tele/interactions/report?format=csv").get_data(as_text=True)
    assert "'=HYPERLINK()" in csv_text


def test_campaign_pages_create_pause_and_targets(client, telecom, login):
    ws, _a, _s, contact = telecom
    login(contact)
    bad = client.post("/w/tele/campaigns/new", data={"code": "", "name": "", "priority": "x"})
    assert bad.status_code == 422
    ok = client.post(
        "/w/tele/campaigns/new",
        data={"code": "INBA", "name": "Bundle", "priority": "1", "active": "1"},
    )
    assert ok.status_code == 302
    campaign = campaigns.by_code(ws, "INBA")
    client.post(f"/w/tele/campaigns/{campaign.id}/toggle")
    db.session.expire_all()
    assert campaign.active is False
    from io import BytesIO

    client.post(
        f"/w/tele/campaigns/{campaign.id}/targets",
        data={"file": (BytesIO(b"ctn\n9161234567\n"), "t.csv")},
    )
    assert campaigns.target_count(campaign) == 1
    imported = client.post(
        "/w/tele/campaigns/customers",
        data={"file": (BytesIO(b"ctn,tariff,services\n9161234567,CORP,TV|SMS\n"), "c.csv")},
    )
    assert imported.status_code == 302


def test_think_callback_shows_in_the_agents_queue_and_accruals_export(client, telecom, login):
    ws, agent, _s, manager = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    call = _call(client, headers, agent)
    client.post(
        f"/api/v1/interactions/{call['id']}/answers",
        json={"campaign": "INBA", "answer": "think"},
        headers=headers,
    )
    client.post(
        f"/api/v1/interactions/{call['id']}/accruals",
        json={"category": "promotion", "amount": "10", "consent": True, "subject": "=cmd"},
        headers=headers,
    )
    login(agent)
    queue = client.get("/w/tele/queue/")
    assert queue.status_code == 200 and "Internet bundle" in queue.get_data(as_text=True)
    assert client.get("/w/tele/interactions/accruals.csv").status_code == 403
    client.post("/logout")
    login(manager)
    exported = client.get("/w/tele/interactions/accruals.csv").get_data(as_text=True)
    assert "'=cmd" in exported and CTN in exported


def _only_the_first_offer(make_workspace, make_member):
    document = load_profile("telecom_inbound_offers")
    document["answers"]["offers"]["any_offer_may_be_voiced"] = False
    ws = make_workspace(slug="tele", locale="en", policy_document=document)
    return ws, make_member(ws, Role.AGENT)


def test_only_the_first_offer_may_be_answered_when_the_policy_says_so_tel1(
    client, make_workspace, make_member, login
):
    """TEL-1: `answers.offers.any_offer_may_be_voiced` false: the API and the screen answer
    only the first (highest-priority) offer shown and refuse the others, saying which."""
    ws, agent = _only_the_first_offer(make_workspace, make_member)
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    call = _call(client, headers, agent)
    assert [o["campaign"] for o in call["offers"]] == ["ROAM", "INBA"]
    url = f"/api/v1/interactions/{call['id']}/answers"
    refused = client.post(url, json={"campaign": "INBA", "answer": "yes"}, headers=headers)
    assert refused.status_code == 409
    assert "Only the first offer shown may be voiced on this call: Roaming." in str(
        refused.get_json()
    )
    assert (
        client.post(url, json={"campaign": "ROAM", "answer": "no"}, headers=headers).status_code
        == 201
    )
    login(agent)
    client.post("/w/tele/interactions/", data={"ctn": "+7 (916) 123-45-67"})
    screen = db.session.scalars(select(Interaction).order_by(Interaction.id.desc())).first()
    shown = client.get(f"/w/tele/interactions/{screen.id}").get_data(as_text=True)
    assert 'data-testid="not-voiced-INBA"' in shown and "not-voiced-ROAM" not in shown
    page = client.post(
        f"/w/tele/interactions/{screen.id}/answers", data={"campaign": "INBA", "answer": "YES"}
    )
    assert page.status_code == 409
    assert "Only the first offer shown may be voiced on this call" in page.get_data(as_text=True)
    assert [o.campaign.code for o in db.session.get(Interaction, screen.id).offers] == []


def test_any_offer_may_be_answered_by_default_tel1(client, telecom):
    ws, agent, _s, _c = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    call = _call(client, headers, agent)
    url = f"/api/v1/interactions/{call['id']}/answers"
    assert (
        client.post(url, json={"campaign": "INBA", "answer": "yes"}, headers=headers).status_code
        == 201
    )


def test_a_call_without_an_offer_is_recorded_as_the_policys_code_and_still_counted_tel6(
    client, make_workspace, make_member
):
    """TEL-6: `answers.offer_rate.missing_offer_counts_as` is the code a call closed without
    an offer records; the offer-rate report counts it as missed."""
    document = load_profile("telecom_inbound_offers")
    document["answers"]["offer_rate"]["missing_offer_counts_as"] = "no_offer"
    ws = make_workspace(slug="tele", locale="en", policy_document=document)
    agent = make_member(ws, Role.AGENT)
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    call = _call(client, headers, agent)
    closed = client.post(f"/api/v1/interactions/{call['id']}/close", headers=headers).get_json()
    assert closed["outcome"] == "no_offer" and closed["missed_sale"] is True
    report = client.get("/api/v1/reports/offer-rate", headers=headers).get_json()
    assert (report["counted"], report["offered"], report["missed"]) == (1, 0, 1)


def test_the_profiles_missed_sale_code_is_recorded_by_default_tel6(client, telecom):
    ws, agent, _s, _c = telecom
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    call = _call(client, headers, agent)
    closed = client.post(f"/api/v1/interactions/{call['id']}/close", headers=headers).get_json()
    assert closed["outcome"] == "missed_sale"


def test_exceptions_are_reported_to_whom_the_policy_names_tel9(client, make_workspace, make_member):
    """TEL-9: `answers.exceptions.report_to` names who hears of an exception (here the
    directors, not the exceptions contact); the notification rule gives the channel."""
    document = load_profile("telecom_inbound_offers")
    document["answers"]["exceptions"]["report_to"] = ["director"]
    ws = make_workspace(slug="tele", locale="en", policy_document=document)
    make_member(ws, Role.MANAGER, email="pavel.smirnov@telecom.leadline.test")
    director = make_member(ws, Role.DIRECTOR)
    agent = make_member(ws, Role.AGENT)
    headers = key_headers(ws, "manager")
    _campaigns(client, headers)
    _call(client, headers, agent, tariff="CORP")
    reported = db.session.scalars(
        select(Notification).where(Notification.template == "offer_exception_ctn")
    ).all()
    assert [(n.recipient_user_id, n.channel) for n in reported] == [(director.id, "email")]
