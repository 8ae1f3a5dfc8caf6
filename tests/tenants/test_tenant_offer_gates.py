"""Gates refuse offers, not the outcomes that say why no offer was made (L411-4, L411-7), and a
card's closing starts the cooldown "No - Already offered" left waiting (L411-9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenants.decisions import GateFacts, PendingCooldown, offer_blocked_by, start_pending_cooldowns
from tenants.durations import Duration
from tenants.profiles import load_profile_policy

POLICY = load_profile_policy("locals411_cpt_ae")
NOW = datetime(2026, 11, 17, 18, 0, tzinfo=UTC)


def test_l411_4_an_outcome_is_an_offer_when_it_counts_as_one():
    """L411-4, issue 9 item 17: the policy's counts_as offer says which outcomes are offers."""
    offers = {o.code for o in POLICY.outcomes.codes if o.is_offer}
    assert offers == {"yes_transferred_to_ae", "yes_not_interested", "yes_requested_to_cancel"}


def test_l411_4_a_blocked_gate_refuses_an_offer_and_lets_the_no_outcomes_through():
    """L411-4, issue 9 item 17: cancelled: the offer is refused by that gate; "No - ..." is not."""
    facts = GateFacts(fields={"account_status": "canceled"})
    refused = offer_blocked_by(POLICY, "yes_transferred_to_ae", facts, NOW)
    assert [(g.gate, g.outcome) for g in refused] == [("account_cancelled", "no_cdtnp_canceled")]
    assert offer_blocked_by(POLICY, "no_cdtnp_canceled", facts, NOW) == []
    assert offer_blocked_by(POLICY, "yes_transferred_to_ae", GateFacts(), NOW) == []


def test_l411_7_the_offer_cooldown_refuses_an_offer_until_it_ends():
    """L411-7, issue 9 item 17: 30 days after "Not interested" the offer is taken again."""
    facts = GateFacts(cooldowns_until={"offer": NOW + timedelta(days=30)})
    assert offer_blocked_by(POLICY, "yes_not_interested", facts, NOW + timedelta(days=29))
    assert not offer_blocked_by(POLICY, "yes_not_interested", facts, NOW + timedelta(days=31))


def test_l411_9_a_card_closing_starts_the_cooldowns_waiting_for_it():
    """L411-9, issue 9 item 4: the pending cooldown ends 30 days after the card's closing; one
    waiting for another event keeps waiting."""
    pending = [
        PendingCooldown("offer", "card.closed", Duration.parse("30d")),
        PendingCooldown("other", "outcome", Duration.parse("1d")),
    ]
    started, waiting = start_pending_cooldowns(POLICY, pending, "card.closed", NOW)
    assert started == {"offer": NOW + timedelta(days=30)}
    assert [p.name for p in waiting] == ["other"]


def test_l411_5_only_a_department_that_asks_for_it_has_one_outcome_per_callback():
    """L411-5, issue 9 item 5: 411 asks for exactly one outcome per callback; a department
    that works a lead over several contacts (BDC's rounds, CCIMA's follow-ups) does not."""
    asks = {
        name: load_profile_policy(name).outcomes.exactly_one
        for name in ("locals411_cpt_ae", "dealer_bdc", "ccima_contact_center", "blank")
    }
    assert asks == {
        "locals411_cpt_ae": True,
        "dealer_bdc": False,
        "ccima_contact_center": False,
        "blank": False,
    }
