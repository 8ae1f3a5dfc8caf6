"""Answers (TEL-3..9), roster (CCIMA-3, CCIMA-4) and reporting (CCIMA-7, 8, 13, 14)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tenants import load_policy
from tenants.decisions import (
    Interaction,
    RosterFacts,
    is_active_for_assignment,
    may_change_answer,
    next_cutoff,
    offer_rate_summary,
    roster_send_due,
)
from tenants.decisions.reporting import policy_in_effect
from tenants.profiles import load_profile_policy

TEL = load_profile_policy("telecom_inbound_offers")
CCIMA = load_profile_policy("ccima_contact_center")
MX = ZoneInfo("America/Mexico_City")


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        (None, "NO", True),
        ("NO", "YES", True),
        ("THINK", "YES", True),
        ("THINK", "NO", False),
        ("YES", "NO", False),
        ("YES", "THINK", False),
        ("NO", "THINK", False),
    ],
)
def test_tel_4_no_or_think_may_become_yes_only_and_yes_is_final(old, new, allowed):
    assert bool(may_change_answer(TEL, "offer_answer", old, new)) is allowed


def test_tel_3_unknown_answer_names_the_allowed_ones():
    with pytest.raises(KeyError, match="allowed: NO, THINK, YES"):
        may_change_answer(TEL, "offer_answer", None, "MAYBE")


def test_tel_6_to_9_offer_rate_excludes_transfers_second_line_and_exceptions():
    interactions = [
        Interaction(offered=True),
        Interaction(offered=False),  # TEL-6: a missed sale
        Interaction(offered=False, transferred_to_split="OSO"),  # TEL-7
        Interaction(offered=False, agent_line="second_line"),  # TEL-8
        Interaction(offered=False, offer_exception=True),  # TEL-9
    ]
    summary = offer_rate_summary(TEL, interactions)
    assert (summary.counted, summary.offered, summary.missed) == (2, 1, 1)
    assert summary.rate_percent == 50 and summary.target_percent == 85 and not summary.meets_target


def test_ccima_3_roster_goes_out_on_the_1st_at_0800_once():
    policy = CCIMA
    assert not roster_send_due(policy, datetime(2024, 6, 1, 7, 59, tzinfo=MX))
    assert roster_send_due(policy, datetime(2024, 6, 1, 8, 0, tzinfo=MX))
    assert roster_send_due(policy, datetime(2024, 6, 14, 8, 0, tzinfo=MX))  # missed sends catch up
    sent = datetime(2024, 6, 1, 8, 1, tzinfo=MX)
    assert not roster_send_due(policy, datetime(2024, 6, 2, 8, 0, tzinfo=MX), last_sent_at=sent)
    assert not roster_send_due(load_policy({}), datetime(2024, 6, 1, 9, 0, tzinfo=UTC))


def test_ccima_4_advisor_active_only_after_confirming_this_months_roster():
    now = datetime(2024, 6, 3, 12, 0, tzinfo=MX)
    assert not is_active_for_assignment(CCIMA, RosterFacts(on_roster_month=date(2024, 6, 1)), now)
    confirmed = RosterFacts(on_roster_month=date(2024, 6, 1), confirmed_at=now)
    assert is_active_for_assignment(CCIMA, confirmed, now)
    last_month = RosterFacts(on_roster_month=date(2024, 5, 1), confirmed_at=now)
    assert not is_active_for_assignment(CCIMA, last_month, now)


def test_ccima_7_next_cutoff_is_monday_0900_local():
    wednesday = datetime(2024, 6, 5, 12, 0, tzinfo=MX)
    assert next_cutoff(CCIMA, wednesday) == datetime(2024, 6, 10, 9, 0, tzinfo=MX)
    monday_at_nine = datetime(2024, 6, 10, 9, 0, tzinfo=MX)
    assert next_cutoff(CCIMA, monday_at_nine) == datetime(2024, 6, 17, 9, 0, tzinfo=MX)
    assert next_cutoff(load_policy({}), wednesday) is None


def test_ccima_8_weekly_report_lists_the_required_fields():
    assert "aaa_prospect_names" in CCIMA.reporting.weekly_report_fields
    assert CCIMA.intake.rating_scale[0] == "AAA"  # CCIMA-12


def test_ccima_13_commission_sharing_percentages():
    sharing = CCIMA.reporting.commission_sharing
    assert (sharing.agent_percent, sharing.manager_percent, sharing.pool_team) == (
        0.5,
        0.15,
        "internal_support",
    )


def test_ccima_14_policy_takes_effect_on_its_date():
    assert not policy_in_effect(CCIMA, datetime(2023, 2, 28, 23, 0, tzinfo=MX))
    assert policy_in_effect(CCIMA, datetime(2023, 3, 1, 0, 0, tzinfo=MX))


def test_ccima_9_closed_deal_announced_in_apartados_group():
    (announcement,) = CCIMA.notifications.announcements
    assert (announcement.channel, announcement.group) == ("telegram", "Apartados")
    assert announcement.tag == CCIMA.intake.sources[1].labels["es"]
