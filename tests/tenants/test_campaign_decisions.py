"""Which campaigns a number sees and what a closed call counts as (TEL-1, TEL-2, TEL-6..9)."""

from __future__ import annotations

from datetime import date

from tenants import load_policy
from tenants.decisions.campaigns import (
    CampaignTerms,
    offers_for,
    outcome,
    transfer_needs_offer_first,
)
from tenants.decisions.offers import Interaction
from tenants.profiles import load_profile

POLICY = load_policy(load_profile("telecom_inbound_offers"))
DAY = date(2026, 12, 2)


def test_tel1_running_campaigns_in_priority_order_and_tel9_exceptions_apart():
    campaigns = [
        CampaignTerms("B", 2),
        CampaignTerms("A", 1, excluded_tariffs=frozenset({"CORP"})),
        CampaignTerms("C", 3, active_to=date(2026, 12, 1)),  # over
        CampaignTerms("D", 4, excluded_services=frozenset({"TV"})),
    ]
    plain = offers_for(POLICY, campaigns, DAY, "BASE", [])
    assert [c.code for c in plain.shown] == ["A", "B", "D"]
    corp = offers_for(POLICY, campaigns, DAY, "CORP", ["TV"])
    assert [c.code for c in corp.shown] == ["B"]
    assert [c.code for c in corp.excluded] == ["A", "D"]


def test_tel6_to_tel9_what_a_closed_call_counts_as():
    assert outcome(POLICY, Interaction(offered=True)) == "offered"
    assert outcome(POLICY, Interaction(offered=False, agent_line="first_line")) == "missed_sale"
    assert outcome(POLICY, Interaction(offered=False, transferred_to_split="OSO")) == "transferred"
    assert outcome(POLICY, Interaction(offered=False, agent_line="second_line")) == "second_line"
    assert outcome(POLICY, Interaction(offered=False, offer_exception=True)) == "exception"


def test_tel2_transfer_to_the_ivr_before_an_offer_deserves_a_reminder():
    assert transfer_needs_offer_first(POLICY, "ivr", offered=False)
    assert not transfer_needs_offer_first(POLICY, "ivr", offered=True)
    assert not transfer_needs_offer_first(POLICY, "OSO", offered=False)
