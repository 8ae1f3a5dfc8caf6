"""The accounts API: upsert with the gates' facts (L411-4) and deliveries (L411-1..3)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tenants.decisions import check_gates
from tenants.profiles import load_profile
from tests.api_helpers import count, key_headers
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Account, Deadline, Lead, Role, Task
from webapp.operations import accounts, deadlines
from webapp.operations.policies import active_policy

# A Tuesday at 10:00 in Los Angeles: inside the department's hours.
OPEN = now().replace(year=2026, month=11, day=17, hour=18, minute=0, second=0, microsecond=0)


@pytest.fixture
def l411(make_workspace, make_member):
    workspace = make_workspace(
        slug="l411",
        time_zone="America/Los_Angeles",
        policy_document=load_profile("locals411_cpt_ae"),
    )
    make_member(workspace, Role.AGENT)
    return workspace, key_headers(workspace)


def _blocked(workspace, account_id: int) -> list[str]:
    account = db.session.get(Account, account_id)
    facts = accounts.gate_facts(account)
    return [g.gate for g in check_gates(active_policy(workspace), facts, now()) if g.blocked]


def test_l411_4_an_upserted_account_feeds_the_gates_and_omitted_facts_stay(client, l411):
    workspace, headers = l411
    created = client.post(
        "/api/v1/accounts",
        json={
            "external_ref": "BO-7",
            "name": "Harbor Plumbing",
            "signed_up_on": "2026-10-01",
            "do_not_upsell": True,
            "handled_by": "RET",
            "pending_balance": 120.5,
        },
        headers=headers,
    )
    assert created.status_code == 201
    account = created.json
    assert account["flags"] == ["do_not_upsell"] and account["handled_by"] == "RET"
    assert _blocked(workspace, account["id"]) == [
        "do_not_upsell",
        "handled_by_other_team",
        "pending_balance",
    ]
    updated = client.post(
        "/api/v1/accounts",
        json={"external_ref": "BO-7", "do_not_upsell": False, "cancelled": True},
        headers=headers,
    )
    assert updated.status_code == 200 and updated.json["id"] == account["id"]
    assert updated.json["name"] == "Harbor Plumbing" and updated.json["pending_balance"] == 120.5
    assert _blocked(workspace, account["id"]) == [
        "account_cancelled",
        "handled_by_other_team",
        "pending_balance",
    ]
    cleared = client.post(
        "/api/v1/accounts",
        json={"external_ref": "BO-7", "cancelled": False, "handled_by": None, "pending_balance": 0},
        headers=headers,
    )
    assert cleared.status_code == 200 and _blocked(workspace, account["id"]) == []


def test_a_new_account_without_a_name_is_422_and_nothing_is_stored(client, l411):
    _workspace, headers = l411
    response = client.post("/api/v1/accounts", json={"external_ref": "BO-9"}, headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["fields"] == [
        {"path": "name", "message": "a new account needs a name"}
    ]
    bad = client.post(
        "/api/v1/accounts",
        json={"external_ref": "BO-9", "name": "X", "handled_by": "NOPE", "signed_up_on": "soon"},
        headers=headers,
    )
    assert {f["path"] for f in bad.json["error"]["fields"]} == {"handled_by", "signed_up_on"}
    assert count(Account) == 0


def test_l411_1_2_deliveries_are_recorded_and_the_fourth_returns_flags_hot(client, l411):
    _workspace, headers = l411
    account = client.post(
        "/api/v1/accounts",
        json={"external_ref": "BO-1", "name": "Harbor", "signed_up_on": "2026-10-01"},
        headers=headers,
    ).json
    flags = []
    with time_machine.travel(OPEN, tick=False):
        for n in range(1, 5):
            response = client.post(
                f"/api/v1/accounts/{account['id']}/deliveries",
                json={"contact_name": f"Customer {n}", "phone": f"+1 415 555 {n:04d}"},
                headers=headers,
            )
            assert response.status_code == 201
            assert response.json["lead"]["account_ref"] == "BO-1"
            flags.append(response.json["flags"])
    assert flags == [[], [], [], ["hot"]]
    assert response.json["account"]["flags"] == ["hot"]
    assert count(Lead) == 4


def test_l411_3_a_delivery_lists_the_callback_due_15_minutes_later(client, l411):
    _workspace, headers = l411
    account = client.post(
        "/api/v1/accounts", json={"external_ref": "BO-1", "name": "Harbor"}, headers=headers
    ).json
    with time_machine.travel(OPEN, tick=False):
        lead = client.post(
            f"/api/v1/accounts/{account['id']}/deliveries",
            json={"contact_name": "Customer", "phone": "+1 415 555 0001", "external_id": "d-1"},
            headers=headers,
        ).json["lead"]
        retry = client.post(
            f"/api/v1/accounts/{account['id']}/deliveries",
            json={"contact_name": "Customer", "phone": "+1 415 555 0001", "external_id": "d-1"},
            headers=headers,
        )
    assert [d["kind"] for d in lead["deadlines"]] == ["cpt_callback"]
    due = datetime.fromisoformat(lead["deadlines"][0]["due_at"])
    assert due == OPEN + timedelta(minutes=15)
    assert retry.status_code == 200 and retry.json["lead"]["id"] == lead["id"]
    assert retry.json["flags"] == [] and count(Lead) == 1


def test_a_key_of_workspace_a_gets_404_for_workspace_b_accounts(client, make_workspace):
    mine, theirs = make_workspace(), make_workspace()
    account, _ = accounts.upsert_account(theirs, "BO-1", name="Theirs", actor=None)
    headers = key_headers(mine)
    assert client.get(f"/api/v1/accounts/{account.id}", headers=headers).status_code == 404
    delivery = client.post(
        f"/api/v1/accounts/{account.id}/deliveries", json={"contact_name": "X"}, headers=headers
    )
    assert delivery.status_code == 404 and count(Lead) == 0
    # The same external_ref in my workspace is my own, new account.
    mine_too = client.post(
        "/api/v1/accounts", json={"external_ref": "BO-1", "name": "Mine"}, headers=headers
    )
    assert mine_too.status_code == 201 and mine_too.json["id"] != account.id


def test_l411_3_the_callback_task_is_for_the_agent_the_delivery_names(
    client, l411, make_member, make_workspace
):
    workspace, headers = l411
    agent = make_member(workspace, Role.AGENT, name="CPT agent")
    outsider = make_member(make_workspace(), Role.AGENT)
    account = client.post(
        "/api/v1/accounts", json={"external_ref": "BO-2", "name": "Harbor"}, headers=headers
    ).json
    url = f"/api/v1/accounts/{account['id']}/deliveries"
    with time_machine.travel(OPEN, tick=False):
        refused = client.post(
            url, json={"contact_name": "Customer", "sent_by": outsider.id}, headers=headers
        )
        lead = client.post(
            url, json={"contact_name": "Customer", "sent_by": agent.id}, headers=headers
        ).json["lead"]
    assert refused.status_code == 422
    assert refused.json["error"]["fields"][0]["path"] == "sent_by"
    assert count(Lead) == 1
    with time_machine.travel(OPEN + timedelta(minutes=15, seconds=1), tick=False):
        (deadline,) = db.session.scalars(select(Deadline).where(Deadline.lead_id == lead["id"]))
        assert deadlines.fire(deadline.id)
    (task,) = db.session.scalars(select(Task).where(Task.lead_id == lead["id"]))
    assert task.assignee_id == agent.id
    assert task.details["script"]
