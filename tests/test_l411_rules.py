"""The 411 Locals rules a department trusts in its first week, through the agent's pages and
the API: HOT counts deliveries only (L411-2), one outcome per callback (L411-5), gates that
refuse an offer (L411-4, L411-7), the card's cooldown (L411-9) and the HOT message (issue 9)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from rq import Queue
from sqlalchemy import func, select

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from tests.support import BurstWorker
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Activity, Lead, Role
from webapp.operations import replay_run as replay_data
from webapp.operations import workspaces

# A Tuesday at 10:00 in Los Angeles: inside the department's hours.
OPEN = now().replace(year=2026, month=11, day=17, hour=18, minute=0, second=0, microsecond=0)


@pytest.fixture
def l411(make_workspace, make_member, request):
    """The department's workspace, its teams, a CPT agent, two AE agents and an API key; a test
    parametrized indirectly with `edit` runs under the profile as `edit(document)` changes it."""
    document = load_profile("locals411_cpt_ae")
    if edit := getattr(request, "param", None):
        edit(document)
    workspace = make_workspace(
        slug="l411", time_zone="America/Los_Angeles", policy_document=document
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
        BurstWorker([Queue("notify", connection=redis_conn)], connection=redis_conn).work(
            burst=True
        )
        page = client.get("/w/l411/notifications/").get_data(as_text=True)
    assert "The account Golden Gate Bakery has received enough leads to be HOT." in page
    assert "Bakery customer 4" not in page


def _outcome_errors(response) -> str:
    """The messages beside the outcome field of the page."""
    page = response.get_data(as_text=True)
    found = re.search(r'<ul class="errors" id="outcome-errors">(.*?)</ul>', page, re.S)
    assert found, "no message beside the outcome"
    return unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def _outcomes_of(lead_id: int) -> list[str]:
    return db.session.scalars(
        select(Activity.outcome_code).where(Activity.lead_id == lead_id).order_by(Activity.id)
    ).all()


def _api_outcome(api, headers, lead_id: int, code: str):
    return api.post(
        f"/api/v1/leads/{lead_id}/activities",
        json={"channel": "call", "outcome": code},
        headers=headers,
    )


HTMX = {"HX-Request": "true"}


def test_l411_5_a_second_outcome_on_the_same_callback_is_refused_beside_the_form(
    client, api, l411, login
):
    """L411-5, issue 9 item 5: a callback ends with exactly one outcome; a second "Yes -
    Transferred to AE" is refused beside the outcome and makes no second AE referral."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers)
    with time_machine.travel(OPEN, tick=False):
        login(cpt)
        lead_id = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        assert _outcome(client, lead_id, "yes_transferred_to_ae").status_code == 302
        again = _outcome(client, lead_id, "yes_transferred_to_ae", **HTMX)
    assert again.status_code == 422
    message = _outcome_errors(again)
    assert "This callback already ended with Yes - Transferred to AE" in message
    assert "exactly one outcome" in message
    assert _referrals() == 1 and _outcomes_of(lead_id) == ["yes_transferred_to_ae"]


def test_l411_5_the_api_refuses_a_second_outcome_with_409_naming_the_field(client, api, l411):
    """L411-5, issue 9 item 5: over the API the second outcome is a 409 whose `fields` name
    `outcome`; nothing is written."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers)
    with time_machine.travel(OPEN, tick=False):
        lead_id = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        assert _api_outcome(api, headers, lead_id, "yes_transferred_to_ae").status_code == 200
        again = _api_outcome(api, headers, lead_id, "yes_not_interested")
    assert again.status_code == 409
    fields = again.json["error"]["fields"]
    assert [f["path"] for f in fields] == ["outcome"]
    assert "already ended with Yes - Transferred to AE" in fields[0]["message"]
    assert _referrals() == 1 and _outcomes_of(lead_id) == ["yes_transferred_to_ae"]


def test_l411_10_a_callback_scheduled_by_an_outcome_takes_its_own_outcome(client, api, l411, login):
    """L411-5 with L411-10, issue 9 item 5: "No - Did not answer" schedules the next day's
    callback, which ends with its own outcome; after that one, a third is refused."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers)
    with time_machine.travel(OPEN, tick=False) as clock:
        login(cpt)
        lead_id = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        assert _outcome(client, lead_id, "no_did_not_answer").status_code == 302
        clock.shift(timedelta(days=1))
        assert _outcome(client, lead_id, "yes_transferred_to_ae").status_code == 302
        third = _outcome(client, lead_id, "no_did_not_answer", **HTMX)
    assert third.status_code == 422
    assert _outcomes_of(lead_id) == ["no_did_not_answer", "yes_transferred_to_ae"]


def _many_outcomes(document: dict) -> None:
    document["outcomes"]["exactly_one"] = False


@pytest.mark.parametrize("l411", [_many_outcomes], indirect=True)
def test_l411_5_without_exactly_one_outcomes_add_up_but_never_a_second_referral(
    client, api, l411, login
):
    """L411-5, L411-6, issue 9 item 5: a policy without `exactly_one` takes a second outcome;
    the lead still refers the customer to AE once."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers)
    with time_machine.travel(OPEN, tick=False):
        login(cpt)
        lead_id = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        for _ in range(2):
            assert _outcome(client, lead_id, "yes_transferred_to_ae").status_code == 302
    assert _outcomes_of(lead_id) == ["yes_transferred_to_ae"] * 2
    assert _referrals() == 1


def _gate_line(page: str, gate: str) -> str:
    found = re.search(rf'data-gate="{gate}">(.*?)</li>', page, re.S)
    assert found, gate
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_l411_4_each_gate_reads_as_the_condition_that_passes_or_blocks(client, api, l411, login):
    """L411-4, issue 9 item 13: an account that is not cancelled reads "✓ Not cancelled", a
    cancelled one "✕ Cancelled (CDTNP): do not offer", in the reader's language."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers)
    with time_machine.travel(OPEN, tick=False):
        login(cpt)
        lead_id = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        page = client.get(f"/w/l411/leads/{lead_id}").get_data(as_text=True)
        assert _gate_line(page, "account_cancelled") == "✓ Not cancelled"
        assert _gate_line(page, "pending_balance") == "✓ No pending balance"
        assert "Account cancelled" not in page

        _account(api, headers, cancelled=True)
        page = client.get(f"/w/l411/leads/{lead_id}").get_data(as_text=True)
        assert _gate_line(page, "account_cancelled") == (
            "✕ Cancelled (CDTNP): do not offer → No - CDTNP/Canceled"
        )
        cpt.preferred_locale = "es"
        db.session.commit()
        page = client.get(f"/w/l411/leads/{lead_id}").get_data(as_text=True)
    assert _gate_line(page, "account_cancelled") == (
        "✕ Cancelada (CDTNP): no ofrecer → No - CDTNP/Cancelado"
    )
    assert _gate_line(page, "pending_balance") == "✓ Sin saldo pendiente"


BLOCKING_FACTS = [
    ({"do_not_upsell": True}, "Do not upsell flag on the account", "no_do_not_upsell"),
    ({"cancelled": True}, "Cancelled (CDTNP)", "no_cdtnp_canceled"),
    ({"handled_by": "ESC"}, "Under RET/ESC/HTS", "no_under_ret_esc_hts"),
    ({"pending_balance": 49.9}, "Pending balance", "no_pending_balance"),
    ({"not_meeting_criteria": True}, "does not meet the team's criteria", "no_not_qualified"),
    ({"open_cards": ["upsell"]}, "Already offered (open upsell card)", "no_already_offered"),
]
NO_LABELS = {
    "no_do_not_upsell": "No - Do not upsell pop-up",
    "no_cdtnp_canceled": "No - CDTNP/Canceled",
    "no_under_ret_esc_hts": "No - Under RET/ESC/HTS",
    "no_pending_balance": "No - Pending balance",
    "no_not_qualified": "No - Not qualified",
    "no_already_offered": "No - Already offered",
}


@pytest.mark.parametrize(("facts", "reason", "instead"), BLOCKING_FACTS)
def test_l411_4_an_offer_is_refused_while_a_gate_blocks_it_and_the_no_outcome_is_taken(
    client, api, l411, login, facts, reason, instead
):
    """L411-4, issue 9 item 17: "Yes - Transferred to AE" while a gate blocks is refused beside
    the outcome with the gate's reason and the outcome to record; that "No - ..." is taken."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers, **facts)
    with time_machine.travel(OPEN, tick=False):
        login(cpt)
        lead_id = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        refused = _outcome(client, lead_id, "yes_transferred_to_ae", **HTMX)
        assert refused.status_code == 422
        message = _outcome_errors(refused)
        assert reason in message and NO_LABELS[instead] in message
        assert _referrals() == 0 and _outcomes_of(lead_id) == []
        assert _outcome(client, lead_id, instead).status_code == 302
    assert _outcomes_of(lead_id) == [instead]


@pytest.mark.parametrize(("facts", "reason", "instead"), BLOCKING_FACTS[:3])
def test_l411_4_the_api_refuses_a_blocked_offer_with_409_and_the_gates_reason(
    api, l411, facts, reason, instead
):
    """L411-4, issue 9 item 17: over the API a blocked offer is a 409 naming `outcome` with
    the gate's reason; nothing is written."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers, **facts)
    with time_machine.travel(OPEN, tick=False):
        lead_id = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        refused = _api_outcome(api, headers, lead_id, "yes_requested_to_cancel")
        assert refused.status_code == 409
        assert [f["path"] for f in refused.json["error"]["fields"]] == ["outcome"]
        assert reason in refused.json["error"]["message"]
        assert _outcomes_of(lead_id) == []
        assert _api_outcome(api, headers, lead_id, instead).status_code == 200


def test_l411_7_after_not_interested_no_offer_for_30_days_then_it_is_taken(
    client, api, l411, login
):
    """L411-7, issue 9 item 17: "Yes - Not interested" on one delivery blocks an offer on the
    account's next delivery for 30 days ("No - Already offered" is taken); on day 31 the offer
    is recorded."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers)
    with time_machine.travel(OPEN, tick=False) as clock:
        login(cpt)
        first = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        assert _outcome(client, first, "yes_not_interested").status_code == 302
        clock.shift(timedelta(days=29))
        second = _deliver(api, headers, account["id"], 2, cpt.id)["lead"]["id"]
        refused = _outcome(client, second, "yes_transferred_to_ae", **HTMX)
        assert refused.status_code == 422
        assert "declined or card closed less than 30 days ago" in _outcome_errors(refused)
        clock.shift(timedelta(days=2))
        third = _deliver(api, headers, account["id"], 3, cpt.id)["lead"]["id"]
        assert _outcome(client, third, "yes_transferred_to_ae").status_code == 302
    assert _referrals() == 1


def _blocking(client, lead_id: int) -> set[str]:
    page = client.get(f"/w/l411/leads/{lead_id}").get_data(as_text=True)
    return set(re.findall(r'class="blocked" data-gate="(\w+)"', page))


def test_l411_9_closing_the_upsell_card_on_the_lead_page_starts_the_30_day_cooldown(
    client, api, l411, login
):
    """L411-9, issue 9 item 4: "No - Already offered" while the upsell card is open; the agent
    closes the card on the lead page: a day later an offer is still blocked, after 30 days the
    gate passes and the offer is recorded."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers, open_cards=["upsell"])
    with time_machine.travel(OPEN, tick=False) as clock:
        login(cpt)
        first = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        assert _blocking(client, first) == {"open_upsell_card"}
        assert _outcome(client, first, "no_already_offered").status_code == 302
        closed = client.post(
            f"/w/l411/leads/{first}/close-card", data={"card": "upsell"}, headers=HTMX
        )
        assert closed.status_code == 200
        assert 'class="passed" data-gate="open_upsell_card"' in closed.get_data(as_text=True)

        clock.shift(timedelta(days=1))
        second = _deliver(api, headers, account["id"], 2, cpt.id)["lead"]["id"]
        assert _blocking(client, second) == {"declined_recently"}
        refused = _outcome(client, second, "yes_transferred_to_ae", **HTMX)
        assert refused.status_code == 422 and _referrals() == 0

        clock.shift(timedelta(days=29, minutes=1))
        assert _blocking(client, second) == set()
        assert _outcome(client, second, "yes_transferred_to_ae").status_code == 302
    assert _referrals() == 1


def test_l411_9_closing_the_card_over_the_api_starts_the_cooldown_from_its_closing(
    client, api, l411
):
    """L411-9, issue 9 item 4: `POST /api/v1/accounts` with the card closed (at `closed_at`)
    starts the cooldown "No - Already offered" left waiting: blocked a day after the closing,
    free 30 days after it."""
    _ws, cpt, _ae, headers = l411
    account = _account(api, headers, open_cards=["upsell"])
    with time_machine.travel(OPEN, tick=False) as clock:
        lead_id = _deliver(api, headers, account["id"], 1, cpt.id)["lead"]["id"]
        assert _api_outcome(api, headers, lead_id, "no_already_offered").status_code == 200
        clock.shift(timedelta(days=2))
        closed_at = OPEN + timedelta(days=1)
        updated = _account(
            api,
            headers,
            cards=[{"kind": "upsell", "state": "closed", "closed_at": closed_at.isoformat()}],
        )
        assert updated["open_cards"] == []
        ends = datetime.fromisoformat(updated["cooldowns"]["offer"])
        assert ends.astimezone(UTC) == closed_at + timedelta(days=30)

        second = _deliver(api, headers, account["id"], 2, cpt.id)["lead"]["id"]
        refused = _api_outcome(api, headers, second, "yes_transferred_to_ae")
        assert refused.status_code == 409
        assert "card closed less than 30 days ago" in refused.json["error"]["message"]
        clock.shift(timedelta(days=29, minutes=1))
        assert _api_outcome(api, headers, second, "yes_transferred_to_ae").status_code == 200
    assert _referrals() == 1


def test_l411_9_a_card_closing_in_the_future_is_refused(api, l411):
    """L411-9, issue 9 item 4: a `closed_at` ahead of now would hold the cooldown off: 422
    naming it, nothing stored."""
    _ws, _cpt, _ae, headers = l411
    _account(api, headers, open_cards=["upsell"])
    future = (now() + timedelta(days=3)).isoformat()
    response = api.post(
        "/api/v1/accounts",
        json={
            "external_ref": "BO-9",
            "cards": [{"kind": "upsell", "state": "closed", "closed_at": future}],
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert [f["path"] for f in response.json["error"]["fields"]] == ["cards.0.closed_at"]
    assert _account(api, headers)["open_cards"] == ["upsell"]


def test_l411_2_a_replay_counts_the_deliveries_not_the_referrals(client, api, l411, login):
    """L411-2, issue 9 item 3: the policy replay reads the same deliveries as the counter:
    the AE referrals on the account are neither deliveries nor start a delivery's timers."""
    workspace, cpt, _ae, headers = l411
    account = _account(api, headers)
    with time_machine.travel(OPEN, tick=False):
        login(cpt)
        for n in range(1, 3):
            lead_id = _deliver(api, headers, account["id"], n, cpt.id)["lead"]["id"]
            assert _outcome(client, lead_id, "yes_transferred_to_ae").status_code == 302
    histories, accounts = replay_data.gather(
        workspace, OPEN - timedelta(hours=1), OPEN + timedelta(hours=1), OPEN + timedelta(hours=2)
    )
    kinds = sorted((h.lead_type or "", h.was_delivered) for h in histories)
    assert kinds == [("", True)] * 2 + [("ae_referral", False)] * 2
    assert len(accounts[str(account["id"])].deliveries) == 2
    referral = next(h for h in histories if h.lead_type == "ae_referral")
    assert "account.delivery" not in referral.starting_events()
