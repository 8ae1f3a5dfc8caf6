"""Timers (CCIMA-6, L411-3, CPB-2..4), outcomes (L411-5..11) and gates (L411-4)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tenants.decisions import (
    GateFacts,
    OutcomeFacts,
    check_gates,
    deadlines_for_event,
    outcome_effects,
    timers_cancelled_by,
)
from tenants.decisions.outcomes import cooldown_end
from tenants.profiles import load_profile_policy

L411 = load_profile_policy("locals411_cpt_ae")
CCIMA = load_profile_policy("ccima_contact_center")
CPB = load_profile_policy("cpb_partner_leads")
LA = ZoneInfo("America/Los_Angeles")
MX = ZoneInfo("America/Mexico_City")
TUESDAY_10 = datetime(2024, 5, 7, 10, 0, tzinfo=LA).astimezone(UTC)


def test_ccima_6_sla_is_10_business_minutes_and_waits_for_opening():
    (spec,) = deadlines_for_event(CCIMA, "lead.assigned", datetime(2024, 5, 6, 17, 55, tzinfo=MX))
    assert spec.kind == "contact_sla"
    assert spec.due_at == datetime(2024, 5, 7, 8, 5, tzinfo=MX)
    assert [a.kind for a in spec.actions] == ["reassign", "notify", "flag_breach"]
    assert timers_cancelled_by(CCIMA, "activity.contact_logged") == {"contact_sla"}
    assert timers_cancelled_by(CCIMA, "lead.assigned") == set()


def test_l411_3_callback_task_with_script_15_minutes_after_delivery():
    (spec,) = deadlines_for_event(L411, "account.delivery", TUESDAY_10)
    assert spec.due_at == TUESDAY_10 + timedelta(minutes=15)
    (task,) = spec.actions
    assert (task.kind, task.assignee, task.script) == ("create_task", "actor", "upsell_offer")
    assert L411.scripts["upsell_offer"]["en"].startswith("Our business development manager")


def test_cpb_2_3_review_in_24h_and_follow_up_in_48h_with_reminder_at_24h():
    now = datetime(2024, 5, 7, 9, 0, tzinfo=UTC)
    specs = {s.kind: s for s in deadlines_for_event(CPB, "lead.allocated", now, lead_type="AQL")}
    assert specs["partner_review"].due_at == now + timedelta(hours=24)
    assert specs["partner_follow_up"].due_at == now + timedelta(hours=48)
    assert specs["partner_follow_up"].reminders_at == (now + timedelta(hours=24),)
    assert specs["feedback_window"].due_at == now + timedelta(weeks=1)  # CPB-4


def test_cpb_9_rql_leads_get_no_follow_up_sla():
    now = datetime(2024, 5, 7, 9, 0, tzinfo=UTC)
    kinds = {s.kind for s in deadlines_for_event(CPB, "lead.allocated", now, lead_type="RQL")}
    assert "partner_follow_up" not in kinds


def test_l411_6_transfer_creates_ae_referral_and_same_day_chase_only_if_requested():
    plain = outcome_effects(L411, "yes_transferred_to_ae", TUESDAY_10)
    assert plain.referral_to == ("ae",) and plain.callback_due_at is None
    assert {"offer", "transfer"} <= plain.counts_as
    chased = outcome_effects(
        L411, "yes_transferred_to_ae", TUESDAY_10, OutcomeFacts(frozenset({"requested_callback"}))
    )
    assert chased.callback_due_at == datetime(2024, 5, 7, 18, 0, tzinfo=LA)


def test_l411_7_not_interested_cools_down_30_days():
    decision = outcome_effects(L411, "yes_not_interested", TUESDAY_10)
    assert decision.cooldowns_until == {"offer": TUESDAY_10 + timedelta(days=30)}


def test_l411_8_cancel_request_creates_ret_ticket():
    decision = outcome_effects(L411, "yes_requested_to_cancel", TUESDAY_10)
    assert decision.tickets_for == ("ret",) and decision.transfer_to == ("ret",)
    assert decision.referral_to == ()


def test_l411_9_already_offered_cooldown_starts_when_the_card_closes():
    decision = outcome_effects(L411, "no_already_offered", TUESDAY_10)
    (pending,) = decision.pending_cooldowns
    assert pending.starts_on == "card.closed"
    closed = TUESDAY_10 + timedelta(days=3)
    assert cooldown_end(L411, pending, closed) == closed + timedelta(days=30)


def test_l411_10_did_not_answer_schedules_callback_next_day():
    decision = outcome_effects(L411, "no_did_not_answer", TUESDAY_10)
    assert decision.callback_due_at == datetime(2024, 5, 8, 6, 0, tzinfo=LA)
    assert decision.status == "callback_due"


def test_l411_11_did_not_offer_counts_as_behaviour_issue():
    assert outcome_effects(L411, "no_did_not_offer", TUESDAY_10).counts_as == {"behaviour_issue"}


def test_unknown_outcome_names_the_allowed_codes():
    with pytest.raises(KeyError, match="allowed: no_already_offered, no_cdtnp_canceled"):
        outcome_effects(L411, "maybe", TUESDAY_10)


def test_l411_4_clear_account_passes_every_gate():
    results = check_gates(L411, GateFacts(), TUESDAY_10)
    assert len(results) == 7 and not any(r.blocked for r in results)


@pytest.mark.parametrize(
    ("facts", "gate"),
    [
        (GateFacts(flags=frozenset({"do_not_upsell"})), "do_not_upsell"),
        (GateFacts(fields={"account_status": "cdtnp"}), "account_cancelled"),
        (GateFacts(fields={"handled_by": "ESC"}), "handled_by_other_team"),
        (GateFacts(amounts={"pending_balance": 12.5}), "pending_balance"),
        (GateFacts(flags=frozenset({"not_meeting_criteria"})), "not_qualified"),
        (GateFacts(open_cards=frozenset({"upsell"})), "open_upsell_card"),
        (GateFacts(cooldowns_until={"offer": TUESDAY_10 + timedelta(days=1)}), "declined_recently"),
    ],
)
def test_l411_4_each_gate_says_which_blocks(facts, gate):
    blocked = [r.gate for r in check_gates(L411, facts, TUESDAY_10) if r.blocked]
    assert blocked == [gate]


def test_l411_4_expired_cooldown_does_not_block():
    facts = GateFacts(cooldowns_until={"offer": TUESDAY_10})
    assert not any(r.blocked for r in check_gates(L411, facts, TUESDAY_10))
