"""Lists that were constants and are now the policy's (issue 11 item 5): the contact channels
agents log, and the account facts the accounts API takes for the gates (L411-4)."""

from __future__ import annotations

import pytest

from tenants import load_policy
from tenants.decisions import check_gates
from tenants.profiles import load_profile
from tests.api_helpers import count, key_headers
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Account, Role
from webapp.operations import accounts, policies
from webapp.operations.activities import log_activity
from webapp.operations.users import UserError


@pytest.fixture
def l411_with_facts(make_workspace, make_member):
    """Locals 411's policy plus two facts of its own, and gates on them."""
    document = load_profile("locals411_cpt_ae")
    document["account_facts"] = [
        *(f.model_dump() for f in load_policy(document).account_facts),
        {"name": "vip", "kind": "flag"},
        {"name": "segment", "kind": "field", "values": ["gold", "silver"]},
        {"name": "arrears", "kind": "amount"},
    ]
    document["gates"] += [
        {
            "name": "vip_desk",
            "when": {"condition": "flag_set", "flag": "vip"},
            "reason": {"en": "VIP"},
        },
        {
            "name": "gold_desk",
            "when": {"condition": "status_in", "field": "segment", "values": ["gold"]},
            "reason": {"en": "Gold"},
        },
        {
            "name": "in_arrears",
            "when": {"condition": "amount_above", "amount": "arrears", "threshold": 10},
            "reason": {"en": "Arrears"},
        },
    ]
    workspace = make_workspace(
        slug="l411-facts", time_zone="America/Los_Angeles", policy_document=document
    )
    make_member(workspace, Role.AGENT)
    return workspace, key_headers(workspace)


def _blocked(workspace, account_id: int) -> set[str]:
    facts = accounts.gate_facts(db.session.get(Account, account_id))
    policy = policies.active_policy(workspace)
    return {g.gate for g in check_gates(policy, facts, now()) if g.blocked}


def test_l411_4_a_gate_on_a_fact_the_policy_declares_is_fed_by_the_api(client, l411_with_facts):
    workspace, headers = l411_with_facts
    body = {"external_ref": "BO-9", "name": "Harbor", "facts": {"vip": True, "segment": "gold"}}
    created = client.post("/api/v1/accounts", json=body, headers=headers)
    assert created.status_code == 201, created.json
    account = created.json
    assert _blocked(workspace, account["id"]) == {"vip_desk", "gold_desk"}
    assert account["facts"]["vip"] is True and account["facts"]["segment"] == "gold"
    assert account["facts"]["do_not_upsell"] is False  # today's facts are declared too
    updated = client.post(
        "/api/v1/accounts",
        json={"external_ref": "BO-9", "facts": {"vip": False, "segment": None, "arrears": 25}},
        headers=headers,
    )
    assert updated.status_code == 200 and _blocked(workspace, account["id"]) == {"in_arrears"}
    named = client.post(
        "/api/v1/accounts",
        json={"external_ref": "BO-9", "facts": {"arrears": 0, "do_not_upsell": True}},
        headers=headers,
    )
    assert named.json["do_not_upsell"] is True  # a named field and its fact are one
    assert _blocked(workspace, account["id"]) == {"do_not_upsell"}


def test_facts_the_policy_does_not_declare_are_refused_together(client, l411_with_facts):
    _workspace, headers = l411_with_facts
    refused = client.post(
        "/api/v1/accounts",
        json={
            "external_ref": "BO-10",
            "facts": {"unknown": True, "vip": "yes", "segment": "bronze", "arrears": 5},
            "cards": [{"kind": "upsell", "state": "closed", "closed_at": "2999-01-01T00:00:00Z"}],
        },
        headers=headers,
    )
    assert refused.status_code == 422
    assert {f["path"] for f in refused.json["error"]["fields"]} == {
        "facts.unknown",
        "facts.vip",
        "facts.segment",
        "cards.0.closed_at",
    }
    assert count(Account) == 0


@pytest.fixture
def two_channels(make_workspace, make_member, make_lead):
    document = load_profile("locals411_cpt_ae")
    document.setdefault("outcomes", {})["contact_channels"] = [
        {"code": "call"},
        {"code": "whatsapp", "labels": {"en": "WhatsApp Business"}},
    ]
    workspace = make_workspace(slug="two-channels", policy_document=document)
    agent = make_member(workspace, Role.AGENT)
    return workspace, agent, make_lead(workspace, owner=agent)


def test_the_outcome_form_offers_the_policys_contact_channels(client, login, two_channels):
    workspace, agent, lead = two_channels
    login(agent)
    page = client.get(f"/w/{workspace.slug}/leads/{lead.id}").get_data(as_text=True)
    select = page[
        page.index('name="channel"') : page.index("</select>", page.index('name="channel"'))
    ]
    assert 'value="call"' in select and ">WhatsApp Business<" in select
    assert 'value="note"' in select and 'value="sms"' not in select


def test_an_activity_on_a_channel_the_policy_does_not_list_is_refused(two_channels):
    _workspace, agent, lead = two_channels
    with pytest.raises(UserError) as refused:
        log_activity(lead, "sms", actor=agent)
    assert refused.value.field == "channel"
    log_activity(lead, "whatsapp", actor=agent)
    log_activity(lead, "note", actor=agent, note="an internal note is always possible")
