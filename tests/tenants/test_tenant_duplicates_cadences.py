"""Duplicates (CCIMA-11, BDC-1..3, BDC-7), cadences (BDC-5, BDC-6, CPB-9), counters (L411-2)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenants import PolicyInvalid, load_policy
from tenants.decisions import (
    CadenceFacts,
    CounterFacts,
    LeadRef,
    is_lost,
    normalise_email,
    normalise_phone,
    resolve_duplicate,
    rounds_due,
    tripped_counters,
)
from tenants.durations import Duration
from tenants.policy.cadences import DailyRounds
from tenants.profiles import load_profile, load_profile_policy

T0 = datetime(2024, 5, 6, 15, 0, tzinfo=UTC)
BDC = load_profile_policy("dealer_bdc")
CCIMA = load_profile_policy("ccima_contact_center")
TORONTO = ZoneInfo("America/Toronto")


def test_phone_normalised_to_e164_with_default_region():
    assert normalise_phone("(514) 555-0199", "CA") == "+15145550199"
    assert normalise_phone("+52 55 1234 5678", "CA") == "+525512345678"
    assert normalise_phone("not a phone", "CA") is None


def test_email_lower_cased_and_gmail_dots_kept():
    assert normalise_email("  Ana.Lopez@Gmail.COM ") == "ana.lopez@gmail.com"
    assert normalise_email("analopez@gmail.com") != normalise_email("ana.lopez@gmail.com")
    assert normalise_email("nobody") is None


def test_ccima_11_duplicate_by_phone_goes_to_the_first_contact_advisor():
    first = LeadRef(
        "l1",
        "web",
        T0,
        "ana",
        first_contact_at=T0,
        keys={"phone": "55 1234 5678", "email": "a@x.mx"},
    )
    later = LeadRef(
        "l2",
        "facebook",
        T0 + timedelta(days=2),
        "beto",
        keys={"phone": "+52 55 1234 5678", "email": "b@y.mx"},
    )
    decision = resolve_duplicate(CCIMA, later, [first])
    assert (decision.winner_id, decision.owner_id, decision.rule) == (
        "l1",
        "ana",
        "first_contact_keeps",
    )
    assert [(x.lead_id, x.fate) for x in decision.losers] == [("l2", "merged")]


def test_bdc_2_phone_up_invalidates_email_lead_of_another_agent_with_note():
    email_lead = LeadRef(
        "e1", "email", T0, "marc", keys={"email": "c@x.ca", "phone": "514 555 0199"}
    )
    phone_up = LeadRef(
        "p1", "phone_up", T0 + timedelta(days=1), "julie", keys={"phone": "5145550199"}
    )
    decision = resolve_duplicate(BDC, phone_up, [email_lead])
    assert (decision.winner_id, decision.owner_id) == ("p1", "julie")  # BDC-1, BDC-3
    (loser,) = decision.losers
    assert (loser.lead_id, loser.fate, loser.status) == ("e1", "invalid", "invalid")
    assert loser.note == BDC.duplicates.precedence[0].note["fr"]
    assert (
        resolve_duplicate(BDC, phone_up, [email_lead], locale="en").losers[0].note.startswith("OPP")
    )


def test_bdc_7_new_request_joins_the_existing_file():
    existing = LeadRef("f1", "web_form", T0, "marc", keys={"email": "c@x.ca"})
    again = LeadRef("f2", "web_form", T0 + timedelta(days=9), None, keys={"email": "C@X.CA"})
    decision = resolve_duplicate(BDC, again, [existing])
    assert (decision.winner_id, decision.owner_id, decision.rule) == ("f1", "marc", "join_existing")


def test_no_match_stands_alone():
    lead = LeadRef("n1", "email", T0, keys={"email": "new@x.ca"})
    assert (
        resolve_duplicate(BDC, lead, [LeadRef("o", "email", T0, keys={"email": "old@x.ca"})]).rule
        == "no_match"
    )


contacts = st.one_of(st.none(), st.integers(0, 1000).map(lambda m: T0 + timedelta(minutes=m)))


@settings(max_examples=50, deadline=None)
@given(st.lists(contacts, min_size=2, max_size=6))
def test_ccima_11_winner_is_the_earliest_contact_whatever_the_order(firsts):
    leads = [
        LeadRef(f"l{i}", "web", T0 + timedelta(hours=i), f"a{i}", first, {"phone": "+525512345678"})
        for i, first in enumerate(firsts)
    ]
    winner = resolve_duplicate(CCIMA, leads[-1], leads[:-1]).winner_id
    contacted = [x for x in leads if x.first_contact_at]
    expected = min(contacted or leads, key=lambda x: (x.first_contact_at or T0, x.created_at))
    assert winner == expected.lead_id


def test_bdc_5_three_rounds_spread_over_the_day():
    monday = lambda h, m=0: datetime(2024, 5, 6, h, m, tzinfo=TORONTO)  # noqa: E731  09:00-21:00
    facts = CadenceFacts(created_at=monday(8))
    assert [r.round_number for r in rounds_due(BDC, facts, monday(9, 30))] == [1]
    due = rounds_due(BDC, facts, monday(16, 59))  # rounds at 09:00, 13:00, 17:00
    assert [r.due_at for r in due] == [monday(9), monday(13)]
    done_two = CadenceFacts(created_at=monday(8), rounds_done_today=2)
    assert [r.round_number for r in rounds_due(BDC, done_two, monday(17))] == [3]
    assert rounds_due(BDC, done_two, monday(16, 59)) == []
    assert due[0].channels == ("call", "sms")


def test_bdc_6_lost_after_7_days_without_contact():
    created = datetime(2024, 5, 1, 10, 0, tzinfo=TORONTO)
    facts = CadenceFacts(created_at=created)
    assert is_lost(BDC, facts, created + timedelta(days=6)) is None
    assert is_lost(BDC, facts, created + timedelta(days=7)) == "lost_bdc"
    reached = CadenceFacts(created_at=created, last_contact_at=created + timedelta(days=5))
    assert is_lost(BDC, reached, created + timedelta(days=7)) is None


def test_cpb_9_rql_nurture_touch_every_14_days():
    cpb = load_profile_policy("cpb_partner_leads")
    facts = CadenceFacts(created_at=T0, lead_type="RQL", last_touch_at=T0)
    assert rounds_due(cpb, facts, T0 + timedelta(days=13)) == []
    (touch,) = rounds_due(cpb, facts, T0 + timedelta(days=14))
    assert touch.cadence == "rql_nurture"
    assert (
        rounds_due(cpb, CadenceFacts(created_at=T0, lead_type="AQL"), T0 + timedelta(days=30)) == []
    )


def test_l411_2_fourth_delivery_since_signup_makes_account_hot():
    l411 = load_profile_policy("locals411_cpt_ae")
    signup = T0
    before = [signup - timedelta(days=3)]
    after = [signup + timedelta(days=d) for d in range(3)]
    facts = CounterFacts(events={"account.delivery": before + after}, signed_up_at=signup)
    assert tripped_counters(l411, facts) == []
    facts = CounterFacts(
        events={"account.delivery": before + after + [T0 + timedelta(days=9)]}, signed_up_at=signup
    )
    (hot,) = tripped_counters(l411, facts)
    assert (hot.flag, hot.count, hot.threshold) == ("hot", 4, 4)


def _bdc_with(**daily_rounds) -> dict:
    document = load_profile("dealer_bdc")
    rounds = {k: v for k, v in document["cadences"][0].items() if k != "lost_after"}
    document["cadences"][0] = {**rounds, **daily_rounds}
    return document


def test_bdc_6_lost_after_is_a_typed_duration_and_a_short_one_counts_elapsed_time():
    """BDC-6, issue 9 item 20: `lost_after` is a duration like the timers' ("7d" by default),
    and a test may make it hours long: then elapsed time counts, not local dates."""
    assert BDC.cadences[0].lost_after == Duration.parse("7d")
    assert DailyRounds(name="r").lost_after == Duration.parse("7d")  # the default stays 7 days
    short = load_policy(_bdc_with(lost_after="3h"))
    created = datetime(2024, 5, 6, 13, 0, tzinfo=TORONTO)  # 13:00 local
    facts = CadenceFacts(created_at=created)
    assert is_lost(short, facts, created + timedelta(hours=2, minutes=59)) is None
    assert is_lost(short, facts, created + timedelta(hours=3)) == "lost_bdc"  # 16:00, same day


def test_bdc_6_old_documents_with_whole_lost_after_days_load_as_a_duration():
    """BDC-6, issue 9 item 20: a document stored with `lost_after_days: 7` (the old integer
    field) still loads, as lost_after 7d, and is saved back under the new name; giving both
    names at once is refused."""
    old = load_policy(_bdc_with(lost_after_days=7))
    assert old.cadences[0].lost_after == Duration.parse("7d")
    assert old.dump()["cadences"][0]["lost_after"] == "7d"
    assert "lost_after_days" not in old.dump()["cadences"][0]
    assert load_policy(_bdc_with(lost_after_days=None)).cadences[0].lost_after is None
    with pytest.raises(PolicyInvalid, match="lost_after"):
        load_policy(_bdc_with(lost_after_days=0))
    with pytest.raises(PolicyInvalid, match="old name"):
        load_policy(_bdc_with(lost_after_days=7, lost_after="7d"))


@pytest.mark.parametrize(
    "written",
    [
        "+52 1 55 4444 3333",
        "+5215544443333",
        "044 55 4444 3333",
        "045 55 4444 3333",
        "01 55 4444 3333",
    ],
)
def test_ccima_11_a_mexican_number_in_its_pre_2019_form_is_the_same_person(written):
    """CCIMA-11, issue 9 item 18: the retired mobile "1" (and 044/045/01) read as today's
    number, so the same person matches whichever way the number was written."""
    assert (
        normalise_phone(written, "MX") == normalise_phone("55 4444 3333", "MX") == "+525544443333"
    )


def test_a_short_number_after_a_legacy_prefix_stays_invalid():
    """Issue 9 item 18: stripping a retired prefix never makes a valid number out of a bad one."""
    assert normalise_phone("+52 1 12", "MX") is None
    assert normalise_phone("+52 1", "MX") is None
