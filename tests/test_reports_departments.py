"""The departments' own figures through the API, computed from the stored events: 411's per
CPT agent and AE member (L411-11, L411-12), the contact centre's commission pool
(CCIMA-13), the BDC's rounds and lost files (BDC-5, BDC-6), and the policy version in force
by its effective date (CCIMA-14)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from tests.test_deal_announcements import _contact_center
from webapp.extensions import db
from webapp.models import Deadline, Lead, LeadStatusMove, Role, Task, TaskState
from webapp.operations import accounts, activities, leads, outcomes, policies, workspaces
from webapp.operations.cadences import ROUND_TASK

NOV_17 = datetime(2026, 11, 17, 18, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Los Angeles
NOV = {"from": "2026-11-01", "to": "2026-11-30"}


def _report(client, workspace, name: str, **params) -> dict:
    response = client.get(
        f"/api/v1/reports/{name}",
        query_string={**NOV, **params},
        headers=key_headers(workspace, "manager"),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _by_label(body: dict) -> dict:
    return {r["label"]: r["value"] for r in body["rows"]}


def _l411(make_workspace, make_member):
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
    ae = make_member(workspace, Role.AGENT, name="Calvin Myers")
    cpt.memberships[0].team_id = teams["cpt"].id
    ae.memberships[0].team_id = teams["ae"].id
    db.session.commit()
    account, _ = accounts.upsert_account(
        workspace, "BO-1", name="Harbor Plumbing", signed_up_on=date(2026, 10, 1), actor=None
    )
    return workspace, account, cpt, ae


def test_l411_11_and_12_figures_per_cpt_agent_and_per_ae_member(
    client, make_workspace, make_member
):
    """One call "No - Did not offer" (a behaviour issue), one transferred to AE: the referral
    AE wins with 1,200 of upsell revenue."""
    workspace, account, cpt, ae = _l411(make_workspace, make_member)
    with time_machine.travel(NOV_17, tick=False):
        offered, _ = accounts.record_delivery(
            account, contact_name="A", actor=cpt, phone="+1 415 555 0001"
        )
        outcomes.record_outcome(offered.lead, "yes_transferred_to_ae", actor=cpt)
        missed, _ = accounts.record_delivery(
            account, contact_name="B", actor=cpt, phone="+1 415 555 0002"
        )
        outcomes.record_outcome(missed.lead, "no_did_not_offer", actor=cpt)
        referral = db.session.scalar(select(Lead).where(Lead.lead_type == "ae_referral"))
        outcomes.change_status(referral, "won", actor=ae, revenue="1200")
        db.session.commit()
    with time_machine.travel(NOV_17 + timedelta(days=1), tick=False):
        assert _by_label(_report(client, workspace, "behaviour_issues", group_by="cpt_agent")) == {
            "Simon Vale": 1
        }
        assert _by_label(_report(client, workspace, "transfers", group_by="cpt_agent")) == {
            "Simon Vale": 1
        }
        referrals = _report(client, workspace, "referrals_generated", group_by="cpt_agent")
        assert _by_label(referrals) == {"Simon Vale": 1}
        assert _by_label(_report(client, workspace, "deals_closed", group_by="ae_agent")) == {
            "Calvin Myers": 1
        }
        revenue = _report(client, workspace, "upsell_revenue", group_by="cpt_agent")
        assert _by_label(revenue) == {"Simon Vale": 1200}
        assert (
            _report(client, workspace, "upsell_revenue", group_by="ae_agent")["total"]["value"]
            == 1200
        )


@pytest.fixture
def pool(make_workspace, make_member):
    """The contact centre with a support team of two, and one deal won through the API with
    an advisor's commission of 10,000 MXN and a manager's of 4,000 MXN."""
    workspace, _team, _manager, advisors = _contact_center(make_workspace, make_member)
    support = workspaces.create_team(
        workspace, "Soporte interno", actor=None, code="internal_support"
    )
    members = [make_member(workspace, Role.AGENT, name=n) for n in ("Rosa", "Iván")]
    for member in members:
        member.memberships[0].team_id = support.id
    workspace.currency = "MXN"
    db.session.commit()
    return workspace, advisors[0], members


def _win(client, workspace, lead, **amounts):
    return client.post(
        f"/api/v1/leads/{lead.id}/status",
        json={"status": "reserved", **amounts},
        headers=key_headers(workspace, "agent"),
    )


def test_ccima_13_pool_is_half_a_percent_of_the_advisor_and_0_15_of_the_manager_split_equally(
    client, pool
):
    workspace, advisor, _members = pool
    with time_machine.travel(NOV_17, tick=False):
        lead = leads.create_lead(workspace, contact_name="Casa", actor=None, owner=advisor)
        db.session.commit()
        won = _win(client, workspace, lead, advisor_commission="10000", manager_commission="4000")
        assert won.status_code == 200, won.get_data(as_text=True)
    with time_machine.travel(NOV_17 + timedelta(days=1), tick=False):
        assert _report(client, workspace, "commission_pool")["total"]["value"] == 56
        shares = _by_label(_report(client, workspace, "commission_pool", group_by="member"))
    assert shares == {"Rosa": 28, "Iván": 28}
    db.session.refresh(lead)
    assert lead.attributes["advisor_commission"] == "10000"
    assert lead.attributes["commission_currency"] == "MXN"


def test_ccima_13_the_pool_sums_the_won_moves_and_the_migration_backfills_them(client, pool):
    """Issue 15: the commissions are columns of the won status move (not the audit JSON the
    pool summed before); 0020_reports fills them in from the audit trail."""
    from flask_migrate import downgrade, upgrade

    workspace, advisor, _members = pool
    with time_machine.travel(NOV_17, tick=False):
        lead = leads.create_lead(workspace, contact_name="Casa", actor=None, owner=advisor)
        db.session.commit()
        _win(client, workspace, lead, advisor_commission="10000", manager_commission="4000")
    lead_id = lead.id
    move = db.session.scalar(select(LeadStatusMove).where(LeadStatusMove.lead_id == lead_id))
    assert (move.advisor_commission, move.manager_commission) == (10000, 4000)
    db.session.commit()
    db.session.remove()
    downgrade(revision="0019_rspeed")
    upgrade()
    move = db.session.scalar(select(LeadStatusMove).where(LeadStatusMove.lead_id == lead_id))
    assert (move.advisor_commission, move.manager_commission) == (10000, 4000)
    workspace = db.session.merge(workspace)
    with time_machine.travel(NOV_17 + timedelta(days=1), tick=False):
        assert _report(client, workspace, "commission_pool")["total"]["value"] == 56


def test_ccima_13_weighted_distribution_and_commissions_only_on_a_won_deal(client, pool):
    workspace, advisor, members = pool
    document = load_profile("ccima_contact_center")
    document["reporting"]["commission_sharing"].update(
        distribution="weighted", weights={members[0].email: 3}
    )
    policies.save_version(workspace, document, author=None)
    with time_machine.travel(NOV_17, tick=False):
        lead = leads.create_lead(workspace, contact_name="Casa", actor=None, owner=advisor)
        db.session.commit()
        refused = client.post(
            f"/api/v1/leads/{lead.id}/status",
            json={"status": "follow_up", "advisor_commission": "10"},
            headers=key_headers(workspace, "agent"),
        )
        assert refused.status_code == 422
        _win(client, workspace, lead, advisor_commission="10000", manager_commission="4000")
    with time_machine.travel(NOV_17 + timedelta(days=1), tick=False):
        shares = _by_label(_report(client, workspace, "commission_pool", group_by="member"))
    assert shares == {"Rosa": 42, "Iván": 14}


def test_bdc_5_and_6_customers_reached_rounds_done_vs_due_and_files_lost(
    client, make_workspace, make_member
):
    workspace = make_workspace(slug="bdc", policy_document=load_profile("dealer_bdc"))
    agent = make_member(workspace, Role.AGENT, name="Julie Cote")
    with time_machine.travel(NOV_17, tick=False):
        files = [
            leads.create_lead(workspace, contact_name=f"Client {n}", actor=None, owner=agent)
            for n in range(3)
        ]
        for n, lead in enumerate(files):
            for round_number in range(3):  # three rounds due today; the first file's all done
                db.session.add(
                    Task(
                        workspace_id=workspace.id,
                        lead_id=lead.id,
                        kind=ROUND_TASK,
                        title=f"round {round_number}",
                        due_at=NOV_17 + timedelta(hours=round_number),
                        assignee_id=agent.id,
                        state=TaskState.DONE if n == 0 else TaskState.CANCELLED,
                    )
                )
        activities.log_activity(files[0], "call", actor=agent)
        activities.log_activity(files[0], "sms", actor=agent)
        activities.log_activity(files[1], "call", actor=agent)
        outcomes.change_status(files[2], "lost_bdc", actor=agent)
        db.session.commit()
    with time_machine.travel(NOV_17 + timedelta(days=1), tick=False):
        reached = _report(client, workspace, "customers_reached", group_by="day")
        rounds = _report(client, workspace, "contact_rounds_done", group_by="agent")
        lost = _report(client, workspace, "files_lost")
    assert reached["rows"][16]["key"] == "2026-11-17" and reached["rows"][16]["value"] == 2
    assert (rounds["total"]["due"], rounds["total"]["done"]) == (9, 3)
    assert lost["total"]["value"] == 1


def test_ccima_14_before_its_effective_date_the_previous_version_rules_timers_and_reports(
    client, make_workspace, make_member
):
    """Version 2 gives the contact SLA 20 minutes and reports of at most 31 days from
    1 December 2026; on 20 November version 1 still rules (10 minutes, a year)."""
    workspace, _team, _manager, advisors = _contact_center(make_workspace, make_member)
    document = load_profile("ccima_contact_center")
    document["reporting"]["effective_from"] = "2026-12-01"
    document["reporting"]["max_period_days"] = 31
    sla = next(t for t in document["timers"] if t["name"] == "contact_sla")
    sla["duration"] = "20m"
    policies.save_version(workspace, document, author=None)
    before = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 10:00 in Mexico City
    after = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    due = {}
    for moment in (before, after):
        with time_machine.travel(moment, tick=False):
            lead = leads.create_lead(workspace, contact_name="P", actor=None, owner=advisors[0])
            db.session.commit()
            deadline = db.session.scalar(
                select(Deadline).where(Deadline.lead_id == lead.id, Deadline.kind == "contact_sla")
            )
            due[moment] = deadline.due_at - moment
            status = client.get(
                "/api/v1/reports/leads_received",
                query_string={"from": "2026-01-01", "to": "2026-03-31"},
                headers=key_headers(workspace, "manager"),
            ).status_code
            due[moment, "report"] = status
    assert due[before] == timedelta(minutes=10) and due[before, "report"] == 200
    assert due[after] == timedelta(minutes=20) and due[after, "report"] == 422
