"""Every built-in profile validates and carries the departments' defaults."""

import pytest

from tenants.policy.common import LOCALES
from tenants.profiles import list_profiles, load_profile, load_profile_policy

PROFILES = list_profiles()


def test_the_five_department_profiles_and_blank_are_built_in():
    assert PROFILES == [
        "blank",
        "ccima_contact_center",
        "cpb_partner_leads",
        "dealer_bdc",
        "locals411_cpt_ae",
        "telecom_inbound_offers",
    ]


@pytest.mark.parametrize("name", PROFILES)
def test_profile_validates_and_round_trips(name):
    policy = load_profile_policy(name)
    again = load_profile_policy(name).model_validate(policy.dump())
    assert again == policy


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("locals411_cpt_ae", "America/Los_Angeles"),
        ("cpb_partner_leads", "Europe/London"),
        ("ccima_contact_center", "America/Mexico_City"),
        ("telecom_inbound_offers", "Europe/Moscow"),
        ("dealer_bdc", "America/Toronto"),
    ],
)
def test_all_4_profile_time_zones(name, zone):
    assert load_profile_policy(name).calendar.time_zone == zone


@pytest.mark.parametrize("name", PROFILES)
def test_all_6_every_label_exists_in_every_locale(name):
    policy = load_profile_policy(name)
    labelled = [
        *policy.outcomes.codes,
        *policy.intake.statuses,
        *policy.intake.sources,
        *policy.intake.lead_types,
    ]
    if name == "blank":
        return
    for item in labelled:
        assert set(item.labels) == set(LOCALES), item.code
    for gate in policy.gates:
        assert set(gate.reason) == set(LOCALES), gate.name
    for name_, text in policy.scripts.items():
        assert set(text) == set(LOCALES), name_


def test_load_profile_returns_a_fresh_copy():
    doc = load_profile("dealer_bdc")
    doc["name"] = "changed"
    assert load_profile("dealer_bdc")["name"] == "Dealer BDC"


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(KeyError, match="allowed: blank, ccima_contact_center"):
        load_profile("nope")


def test_ccima_5_6_profile_hours_and_sla():
    policy = load_profile_policy("ccima_contact_center")
    assert all(
        policy.calendar.business_hours[d] == [(480, 1080)] for d in policy.calendar.business_hours
    )
    assert len(policy.calendar.business_hours) == 7
    (sla,) = policy.timers
    assert (str(sla.duration), sla.clock) == ("10m", "business")
    reassign, notify, _ = sla.actions
    assert reassign.strategy.strategy == "top_performer"
    assert set(notify.roles) == {"previous_assignee", "assignee_manager", "director"}
    assert notify.channels == ["whatsapp"]


def test_l411_5_eleven_outcomes():
    assert len(load_profile_policy("locals411_cpt_ae").outcomes.codes) == 11
