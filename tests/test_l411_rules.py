"""The 411 Locals rules a department trusts in its first week, through the agent's pages and
the API: HOT counts deliveries only (L411-2), one outcome per callback (L411-5), gates that
refuse an offer (L411-4, L411-7), the card's cooldown (L411-9) and the HOT message (issue 9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Activity, Lead, Role
from webapp.operations import workspaces

# A Tuesday at 10:00 in Los Angeles: inside the department's hours.
OPEN = now().replace(year=2026, month=11, day=17, hour=18, minute=0, second=0, microsecond=0)


@pytest.fixture
def l411(make_workspace, make_member):
    """The department's workspace, its teams, a CPT agent, two AE agents and an API key."""
    workspace = make_workspace(
        slug="l411",
        time_zone="America/Los_Angeles",
        policy_document=load_profile("locals411_cpt_ae"),
    )
    teams = {
        code: workspaces.create_team(workspace, name, actor=None, code=code)
        for code, name in (("cpt", "CPT"), ("ae", "Area Expansion"), ("ret", "Retention"))
    }
    cpt = make_member(workspace, Role.AGENT, name="Simon Vale")
    ae = [make_member(workspace, Role.AGENT, name=n) for n in ("Calvin Myers", "Yamil Cabrera")]
    cpt.memberships[0].team_id = teams["cpt"].id
    for user in ae:
        user.memberships[0].team_id = teams["ae"].id
    db.session.commit()
    return workspace, cpt, ae, key_headers(workspace)


@pytest.fixture
def api(app):
    """A client of its own for the API, so that the agent's browser session stays signed in."""
    return app.test_client()


def _account(api, headers, **facts) -> dict:
    body = {"external_ref": "BO-9", "name": "Golden Gate Bakery", "signed_up_on": "2026-10-01"}
    response = api.post("/api/v1/accounts", json={**body, **facts}, headers=headers)
    assert response.status_code in (200, 201), response.json
    return response.json


def _deliver(api, headers, account_id: int, n: int, sent_by: int) -> dict:
    response = api.post(
        f"/api/v1/accounts/{account_id}/deliveries",
        json={
            "contact_name": f"Bakery customer {n}",
            "phone": f"+1 415 555 {n:04d}",
            "sent_by": sent_by,
        },
        headers=headers,
    )
    assert response.status_code == 201, response.json
    return response.json


def _outcome(client, lead_id: int, code: str, **headers):
    return client.post(
        f"/w/l411/leads/{lead_id}/outcome",
        data={"outcome": code, "channel": "call"},
        headers=headers,
    )


def _referrals() -> int:
    return db.session.scalar(select(func.count(Lead.id)).where(Lead.lead_type == "ae_referral"))


def test_l411_2_hot_counts_deliveries_not_the_referrals_of_its_transfers(client, api, l411, login):
    """L411-2, issue 9 item 3: two transfers to AE put two referral leads on the account; the
    account still becomes HOT at its 4th delivery since sign-up, not its 3rd."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers)
    flags = []
    with time_machine.travel(OPEN, tick=False):
        login(cpt)  # signed in when the clock says it is
        for n in range(1, 5):
            delivery = _deliver(api, headers, account["id"], n, cpt.id)
            flags.append(delivery["flags"])
            if n <= 2:
                response = _outcome(client, delivery["lead"]["id"], "yes_transferred_to_ae")
                assert response.status_code == 302
    assert _referrals() == 2
    assert flags == [[], [], [], ["hot"]]


def test_l411_2_the_hot_message_names_the_account(client, api, l411, login, redis_conn):
    """L411-2, issue 9 item 7: the AE team's HOT notification names the account ("Golden Gate
    Bakery"), not the customer of the delivery that tripped the counter."""
    _ws, cpt, ae, headers = l411
    account = _account(api, headers)
    with time_machine.travel(OPEN, tick=False):
        for n in range(1, 5):
            _deliver(api, headers, account["id"], n, cpt.id)
        login(ae[0])
        SimpleWorker([Queue("notify", connection=redis_conn)], connection=redis_conn).work(
            burst=True
        )
        page = client.get("/w/l411/notifications/").get_data(as_text=True)
    assert "The account Golden Gate Bakery has received enough leads to be HOT." in page
    assert "Bakery customer 4" not in page
