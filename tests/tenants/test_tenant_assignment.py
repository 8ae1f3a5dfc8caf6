"""Who gets a lead (CCIMA-1..6, BDC-4, CPB allocation)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tenants import load_policy
from tenants.decisions import Candidate, LeadFacts, choose_assignee
from tenants.profiles import load_profile_policy

MX = ZoneInfo("America/Mexico_City")
CCIMA = load_profile_policy("ccima_contact_center")
NOON = datetime(2024, 5, 6, 12, 0, tzinfo=MX).astimezone(UTC)


def test_ccima_5_lead_outside_hours_waits_for_next_opening():
    decision = choose_assignee(
        CCIMA, LeadFacts(), [Candidate("a")], datetime(2024, 5, 6, 19, 0, tzinfo=MX)
    )
    assert decision.agent_id is None and decision.reason == "outside_hours"
    assert decision.wait_until == datetime(2024, 5, 7, 8, 0, tzinfo=MX)


def test_ccima_2_4_only_authorised_and_roster_confirmed_advisors_receive_leads():
    pool = [
        Candidate("a", authorised=False),
        Candidate("b", roster_confirmed=False),
        Candidate("c"),
    ]
    assert choose_assignee(CCIMA, LeadFacts(), pool, NOON).agent_id == "c"


def test_ccima_1_round_robin_moves_the_cursor():
    pool = [Candidate("a"), Candidate("b"), Candidate("c")]
    first = choose_assignee(CCIMA, LeadFacts(round_robin_cursor="a"), pool, NOON)
    assert (first.agent_id, first.cursor) == ("b", "b")
    wrapped = choose_assignee(CCIMA, LeadFacts(round_robin_cursor="c"), pool, NOON)
    assert wrapped.agent_id == "a"


def test_ccima_6_reassignment_goes_to_least_loaded_of_top_3_not_the_current_advisor():
    reassign = CCIMA.timers[0].actions[0]
    pool = [
        Candidate("slow", metrics={"conversion_rate": 0.9}),
        Candidate("good", metrics={"conversion_rate": 0.5}, open_leads=4),
        Candidate("best", metrics={"conversion_rate": 0.8}, open_leads=1),
        Candidate("weak", metrics={"conversion_rate": 0.1}, open_leads=2),
        Candidate("worst", metrics={"conversion_rate": 0.0}),  # outside the top 3
    ]
    decision = choose_assignee(
        CCIMA,
        LeadFacts(current_agent_id="slow"),
        pool,
        NOON,
        reassign.strategy,
        exclude_current=True,
    )
    assert decision.agent_id == "best" and decision.strategy == "top_performer"


def test_capacity_cap_and_fallback_strategy():
    policy = load_policy(
        {
            "assignment": {
                "strategy": {"strategy": "top_performer", "metric": "sales"},
                "eligibility": [{"kind": "capacity", "max_open_leads": 3}],
                "fallback": {"strategy": "least_loaded"},
            }
        }
    )
    pool = [
        Candidate("full", open_leads=3, metrics={"sales": 9}),
        Candidate("x", open_leads=2),
        Candidate("y", open_leads=1),
    ]
    decision = choose_assignee(policy, LeadFacts(), pool, NOON)
    assert (decision.agent_id, decision.strategy) == ("y", "least_loaded")


def test_nobody_eligible_says_so():
    decision = choose_assignee(CCIMA, LeadFacts(), [Candidate("a", authorised=False)], NOON)
    assert decision.agent_id is None and decision.reason == "no_eligible_candidate"


def test_bdc_4_phone_up_goes_to_the_manager_of_the_existing_file():
    bdc = load_profile_policy("dealer_bdc")
    pool = [Candidate("agent"), Candidate("manager", assistant_id="da")]
    lead = LeadFacts(existing_manager_id="manager", taken_by_agent_id="agent")
    assert choose_assignee(bdc, lead, pool, NOON).agent_id == "manager"


def test_bdc_4_busy_manager_taker_books_and_tags_the_assistant():
    bdc = load_profile_policy("dealer_bdc")
    pool = [Candidate("agent"), Candidate("manager", available=False, assistant_id="da")]
    lead = LeadFacts(existing_manager_id="manager", taken_by_agent_id="agent")
    decision = choose_assignee(bdc, lead, pool, NOON)
    assert decision.agent_id == "agent" and decision.notify_agent_ids == ("da",)


def test_cpb_lead_is_allocated_to_the_partner_named_on_the_lead():
    cpb = load_profile_policy("cpb_partner_leads")
    pool = [Candidate("p1", organisation="acme"), Candidate("p2", organisation="globex")]
    decision = choose_assignee(cpb, LeadFacts(fields={"partner": "globex"}), pool, NOON)
    assert decision.agent_id == "p2"
    nobody = choose_assignee(cpb, LeadFacts(fields={"partner": "initech"}), pool, NOON)
    assert (nobody.agent_id, nobody.reason) == (None, "manual_assignment")


def test_weighted_prefers_lowest_share_of_weight():
    policy = load_policy({"assignment": {"strategy": {"strategy": "weighted"}}})
    pool = [
        Candidate("a", weight=1, recent_assignments=2),
        Candidate("b", weight=3, recent_assignments=3),
    ]
    assert choose_assignee(policy, LeadFacts(), pool, NOON).agent_id == "b"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from("abcdefg"), min_size=1, unique=True))
def test_round_robin_visits_every_agent_once_per_cycle(ids):
    policy = load_policy({})
    pool = [Candidate(i) for i in ids]
    cursor, seen = None, []
    for _ in ids:
        decision = choose_assignee(policy, LeadFacts(round_robin_cursor=cursor), pool, NOON)
        cursor = decision.cursor
        seen.append(decision.agent_id)
    assert sorted(seen) == sorted(ids)
