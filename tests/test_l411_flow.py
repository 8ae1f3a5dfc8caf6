"""The 411 Locals CPT → AE referral flow, driven by its policy (L411-1..12)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from tenants.profiles import load_profile
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import AuditEvent, Deadline, Lead, Notification, Role, Task, Team
from webapp.operations import accounts, outcomes, workspaces
from workers import runtime

# A Tuesday at 10:00 in Los Angeles: inside the department's hours.
OPEN = now().replace(year=2026, month=11, day=17, hour=18, minute=0, second=0, microsecond=0)


@pytest.fixture
def l411(make_workspace, make_member):
    workspace = make_workspace(
        slug="l411",
        time_zone="America/Los_Angeles",
        policy_document=load_profile("locals411_cpt_ae"),
    )
    teams = {
        code: workspaces.create_team(workspace, name, actor=None, code=code)
        for code, name in (
            ("cpt", "Customer Protection"),
            ("ae", "Area Expansion"),
            ("ret", "Retention"),
        )
    }
    cpt = make_member(workspace, Role.AGENT, name="Simon Vale")
    ae = [make_member(workspace, Role.AGENT, name=n) for n in ("Calvin Myers", "Yamil Cabrera")]
    for user, team in ((cpt, teams["cpt"]), (ae[0], teams["ae"]), (ae[1], teams["ae"])):
        user.memberships[0].team_id = team.id
    db.session.commit()
    account, _ = accounts.upsert_account(
        workspace, "BO-1", name="Harbor Plumbing", signed_up_on=date(2026, 10, 1), actor=None
    )
    return workspace, account, cpt, ae


def _local_day(moment):
    return moment.astimezone(ZoneInfo("America/Los_Angeles")).date()


def _deliver(account, cpt, n: int):
    result, flags = accounts.record_delivery(
        account, contact_name=f"Customer {n}", actor=cpt, phone=f"+1 415 555 {n:04d}"
    )
    return result.lead, flags


def test_l411_1_and_2_deliveries_are_recorded_and_the_fourth_makes_the_account_hot(l411):
    _ws, account, cpt, _ae = l411
    with time_machine.travel(OPEN, tick=False):
        flags = [_deliver(account, cpt, n)[1] for n in range(1, 5)]
    assert flags == [[], [], [], ["hot"]]
    assert db.session.scalars(select(Lead.account_id)).all() == [account.id] * 4
    assert "hot" in accounts.facts_of(account)["set"]


def test_l411_3_a_callback_task_with_the_script_is_due_15_minutes_after_a_delivery(l411):
    _ws, account, cpt, _ae = l411
    with time_machine.travel(OPEN, tick=False):
        lead, _ = _deliver(account, cpt, 1)
    callback = db.session.scalar(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.kind == "cpt_callback")
    )
    assert callback.due_at == OPEN + timedelta(minutes=15)
    with time_machine.travel(callback.due_at, tick=False):
        assert runtime.perform("deadline.fire", callback.id)
    task = db.session.scalar(select(Task).where(Task.lead_id == lead.id))
    assert (task.kind, task.assignee_id, task.due_at) == (
        "upsell_callback",
        cpt.id,
        callback.due_at,
    )
    assert task.details["script"] == "upsell_offer"


def test_l411_4_gates_name_what_blocks_an_offer(l411):
    from tenants.decisions import check_gates
    from webapp.operations.policies import active_policy

    workspace, account, _cpt, _ae = l411
    accounts.upsert_account(
        workspace, "BO-1", actor=None, flags=["do_not_upsell"], amounts={"pending_balance": 120.0}
    )
    blocked = [
        g.gate
        for g in check_gates(active_policy(workspace), accounts.gate_facts(account), now())
        if g.blocked
    ]
    assert blocked == ["do_not_upsell", "pending_balance"]


def test_l411_6_transferred_to_ae_creates_a_referral_in_the_ae_queue(l411):
    _workspace, account, cpt, ae = l411
    with time_machine.travel(OPEN, tick=False):
        lead, _ = _deliver(account, cpt, 1)
        outcomes.record_outcome(
            lead, "yes_transferred_to_ae", actor=cpt, true_facts={"requested_callback"}
        )
    referral = db.session.scalar(select(Lead).where(Lead.lead_type == "ae_referral"))
    assert referral.owner_id in {a.id for a in ae}
    assert referral.account_id == account.id
    assert referral.attributes["cpt_agent"] == cpt.id and referral.attributes["referred_from"]
    db.session.refresh(lead)
    assert lead.status == "closed"
    chase = db.session.scalar(select(Task).where(Task.kind == "callback"))
    assert chase.assignee_id == cpt.id
    assert _local_day(chase.due_at) == _local_day(OPEN)  # the same day, at closing time


def test_l411_7_not_interested_starts_a_30_day_cooldown_that_blocks_the_next_offer(l411):
    from tenants.decisions import check_gates
    from webapp.operations.policies import active_policy

    workspace, account, cpt, _ae = l411
    with time_machine.travel(OPEN, tick=False):
        lead, _ = _deliver(account, cpt, 1)
        outcomes.record_outcome(lead, "yes_not_interested", actor=cpt)
    policy = active_policy(workspace)
    facts = accounts.gate_facts(account)
    blocked_at = {
        g.gate for g in check_gates(policy, facts, OPEN + timedelta(days=29)) if g.blocked
    }
    free_at = {g.gate for g in check_gates(policy, facts, OPEN + timedelta(days=31)) if g.blocked}
    assert blocked_at == {"declined_recently"} and free_at == set()


def test_l411_8_requested_to_cancel_opens_a_ret_ticket_and_hands_the_bo_to_ret(l411):
    _ws, account, cpt, _ae = l411
    with time_machine.travel(OPEN, tick=False):
        lead, _ = _deliver(account, cpt, 1)
        outcomes.record_outcome(lead, "yes_requested_to_cancel", actor=cpt)
    ticket = db.session.scalar(select(Task).where(Task.kind == "ticket"))
    db.session.refresh(lead)
    assert ticket.team_id == lead.team_id is not None


def test_l411_10_no_answer_schedules_a_callback_the_next_day(l411):
    _ws, account, cpt, _ae = l411
    with time_machine.travel(OPEN, tick=False):
        lead, _ = _deliver(account, cpt, 1)
        outcomes.record_outcome(lead, "no_did_not_answer", actor=cpt)
    task = db.session.scalar(select(Task).where(Task.kind == "callback"))
    assert _local_day(task.due_at) == _local_day(OPEN) + timedelta(days=1)


def test_l411_12_ae_closes_the_referral_won_with_revenue(l411):
    _ws, account, cpt, ae = l411
    with time_machine.travel(OPEN, tick=False):
        lead, _ = _deliver(account, cpt, 1)
        outcomes.record_outcome(lead, "yes_transferred_to_ae", actor=cpt)
    referral = db.session.scalar(select(Lead).where(Lead.lead_type == "ae_referral"))
    owner = db.session.get(type(ae[0]), referral.owner_id)
    outcomes.change_status(referral, "won", actor=owner, revenue="1250.50")
    assert referral.attributes["revenue"] == "1250.50"
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "lead.status", AuditEvent.subject_id == referral.id
        )
    )
    assert event.after == {"status": "won", "revenue": "1250.50", "currency": "USD"}


def test_an_unknown_outcome_names_the_allowed_codes(l411):
    _ws, account, cpt, _ae = l411
    with time_machine.travel(OPEN, tick=False):
        lead, _ = _deliver(account, cpt, 1)
    with pytest.raises(UserError) as refused:
        outcomes.record_outcome(lead, "maybe", actor=cpt)
    assert "yes_not_interested" in str(refused.value)


def test_l411_6_referrals_go_round_the_ae_members_never_to_the_ae_manager(l411, make_member):
    workspace, account, cpt, ae = l411
    manager = make_member(workspace, Role.MANAGER, name="AE manager")
    manager.memberships[0].team_id = ae[0].memberships[0].team_id
    db.session.commit()
    with time_machine.travel(OPEN, tick=False):
        for n in range(1, 5):
            lead, _ = _deliver(account, cpt, n)
            outcomes.record_outcome(lead, "yes_transferred_to_ae", actor=cpt)
    owners = db.session.scalars(select(Lead.owner_id).where(Lead.lead_type == "ae_referral"))
    assert sorted(owners) == sorted([ae[0].id, ae[1].id] * 2)


def test_l411_2_6_8_the_policys_rules_tell_the_teams_concerned(l411, make_member):
    """The HOT account and the referral reach the AE team, the cancel ticket the RET team."""
    workspace, account, cpt, ae = l411
    ret_agent = make_member(workspace, Role.AGENT, name="Ruth Ret")
    ret_team = db.session.scalar(select(Team).where(Team.code == "ret"))
    ret_agent.memberships[0].team_id = ret_team.id
    db.session.commit()
    with time_machine.travel(OPEN, tick=False):
        delivered = [_deliver(account, cpt, n)[0] for n in range(1, 5)]
        outcomes.record_outcome(delivered[0], "yes_transferred_to_ae", actor=cpt)
        outcomes.record_outcome(delivered[1], "yes_requested_to_cancel", actor=cpt)
    told = {
        (n.template, n.recipient_user_id, n.channel)
        for n in db.session.scalars(select(Notification))
    }
    ae_ids = {a.id for a in ae}
    assert {u for t, u, c in told if t == "hot_account_for_ae"} == ae_ids
    assert {(u, c) for t, u, c in told if t == "new_ae_referral"} == {
        (a, c) for a in ae_ids for c in ("in_app", "email")
    }
    assert {u for t, u, c in told if t == "ret_ticket_created"} == {ret_agent.id}
    assert cpt.id not in {u for _t, u, _c in told}
