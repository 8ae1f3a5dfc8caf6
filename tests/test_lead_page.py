"""The lead page: the lead in the policy's words, its gates, script, outcome and status forms."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import support
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Activity, Lead, Role, Task
from webapp.operations import accounts


@pytest.fixture
def l411(make_workspace, login_as):
    workspace, teams = support.l411_workspace(make_workspace)
    agent = login_as(Role.AGENT, workspace, name="Simon Vale")
    agent.memberships[0].team_id = teams["cpt"].id
    db.session.commit()
    account, _ = accounts.upsert_account(
        workspace, "BO-1", name="Harbor Plumbing", signed_up_on=date(2026, 10, 1), actor=None
    )
    return workspace, account, agent


def _lead(make_lead, l411, **fields):
    workspace, account, agent = l411
    return make_lead(
        workspace, contact_name="Bea Owner", owner=agent, account_id=account.id, **fields
    )


def _page(client, lead, **headers) -> str:
    response = client.get(f"/w/l411/leads/{lead.id}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_lead_page_shows_contact_links_and_policy_labels(client, l411, make_lead):
    lead = _lead(make_lead, l411, email="bea@harbor.test", lead_type="cpt_lead")

    page = _page(client, lead)

    assert f'href="tel:{lead.phone_e164}"' in page and 'href="mailto:bea@harbor.test"' in page
    assert ">New<" in page and "CPT lead" in page


def test_l411_4_each_gate_with_its_reason_and_the_one_that_blocks(client, l411, make_lead):
    workspace, _account, _agent = l411
    accounts.upsert_account(workspace, "BO-1", flags=["do_not_upsell"], actor=None)
    lead = _lead(make_lead, l411)

    page = _page(client, lead)

    assert "Do not offer: Do not upsell flag on the account" in page
    assert 'class="blocked" data-gate="do_not_upsell"' in page
    assert 'class="passed" data-gate="pending_balance"' in page
    assert "No - Do not upsell pop-up" in page  # the outcome the gate points to


def test_l411_4_gate_reasons_and_l411_5_outcomes_in_the_users_language(client, l411, make_lead):
    _ws, _account, agent = l411
    agent.preferred_locale = "es"
    db.session.commit()
    lead = _lead(make_lead, l411)

    page = _page(client, lead)

    assert "Sí - Transferido a AE" in page and "No - No contestó / Pidió devolución" in page
    assert page.count("<optgroup") == 2  # yes and no
    assert "Saldo pendiente" in page


def test_l411_3_the_script_of_the_open_callback_task_is_shown(client, l411, make_lead):
    workspace, _account, agent = l411
    lead = _lead(make_lead, l411)
    db.session.add(
        Task(
            workspace_id=workspace.id,
            lead_id=lead.id,
            kind="upsell_callback",
            title="upsell_callback",
            due_at=now() + timedelta(minutes=15),
            assignee_id=agent.id,
            details={"script": "upsell_offer"},
        )
    )
    db.session.commit()

    assert "Our business development manager would like to discuss" in _page(client, lead)


def test_l411_10_outcome_form_records_the_outcome_and_shows_its_effect(client, l411, make_lead):
    lead = _lead(make_lead, l411)

    response = client.post(
        f"/w/l411/leads/{lead.id}/outcome",
        data={"outcome": "no_did_not_answer", "channel": "call", "note": "voicemail full"},
        headers={"HX-Request": "true"},
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="lead-work"')
    assert "Callback due" in body and "No - Did not answer / Requested CB" in body
    assert "voicemail full" in body
    assert db.session.scalar(select(Lead.status).where(Lead.id == lead.id)) == "callback_due"
    assert db.session.scalar(select(Task.kind).where(Task.lead_id == lead.id)) == "callback"


def test_l411_6_requested_callback_checkbox_adds_a_same_day_chase(client, l411, make_lead):
    lead = _lead(make_lead, l411)
    page = _page(client, lead)
    assert 'name="facts" value="requested_callback"' in page

    client.post(
        f"/w/l411/leads/{lead.id}/outcome",
        data={"outcome": "yes_transferred_to_ae", "channel": "call", "facts": "requested_callback"},
    )

    referral = db.session.scalar(select(Lead).where(Lead.lead_type == "ae_referral"))
    assert referral is not None and referral.attributes["referred_from"] == lead.id
    assert db.session.scalar(select(Task.kind).where(Task.lead_id == lead.id)) == "callback"


def test_outcome_form_without_an_outcome_says_so_beside_the_field(client, l411, make_lead):
    lead = _lead(make_lead, l411)

    response = client.post(
        f"/w/l411/leads/{lead.id}/outcome", data={"channel": "call"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert 'id="outcome-errors"' in response.get_data(as_text=True)
    assert "Choose the outcome of the call." in response.get_data(as_text=True)
    assert db.session.scalar(select(Activity.id).where(Activity.lead_id == lead.id)) is None


def test_l411_12_status_won_carries_the_upsell_revenue(client, l411, make_lead):
    lead = _lead(make_lead, l411)

    bad = client.post(
        f"/w/l411/leads/{lead.id}/status",
        data={"status": "won", "revenue": "lots"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "Not an amount: lots." in bad.get_data(as_text=True)

    good = client.post(
        f"/w/l411/leads/{lead.id}/status",
        data={"status": "won", "revenue": "1250.50"},
        headers={"HX-Request": "true"},
    )
    assert good.status_code == 200 and ">Won<" in good.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).attributes["revenue"] == "1250.50"


def test_duplicates_link_both_ways(client, l411, make_lead):
    original = _lead(make_lead, l411)
    copy = make_lead(l411[0], contact_name="Bea Again", duplicate_of_id=original.id)

    assert f'href="/w/l411/leads/{copy.id}"' in _page(client, original)
    assert f'href="/w/l411/leads/{original.id}"' in _page(client, copy)
