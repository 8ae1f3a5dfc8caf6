"""The roster's clock, the months it can be planned for and the replies that confirm it
(CCIMA-3, CCIMA-4)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tenants import load_policy
from tenants.decisions.roster import (
    is_confirmation,
    next_roster_send_at,
    roster_gone_out,
    roster_message,
    roster_month,
    upcoming_roster_months,
)
from tenants.profiles import load_profile, load_profile_policy

CCIMA = load_profile_policy("ccima_contact_center")
MX = ZoneInfo("America/Mexico_City")


def _mx(*args: int) -> datetime:
    return datetime(*args, tzinfo=MX)


def test_ccima_3_next_send_is_the_1st_at_0800_mexico_city():
    assert next_roster_send_at(CCIMA, _mx(2026, 11, 20, 10, 0)) == _mx(2026, 12, 1, 8, 0)
    assert next_roster_send_at(CCIMA, _mx(2026, 12, 1, 7, 59)) == _mx(2026, 12, 1, 8, 0)


def test_ccima_3_next_send_is_strictly_after_the_instant_given():
    assert next_roster_send_at(CCIMA, _mx(2026, 12, 1, 8, 0)) == _mx(2027, 1, 1, 8, 0)


def test_next_send_crosses_the_year_and_keeps_local_time_over_dst():
    policy = load_policy(
        {
            **load_profile("ccima_contact_center"),
            "calendar": {"time_zone": "Europe/Paris"},
            "roster": {"enabled": True, "send_day": 28, "send_time": "09:30"},
        }
    )
    paris = ZoneInfo("Europe/Paris")
    after = datetime(2026, 12, 28, 9, 30, tzinfo=paris)
    assert next_roster_send_at(policy, after) == datetime(2027, 1, 28, 9, 30, tzinfo=paris)
    # Summer time starts on 28 March 2027: still 09:30 on the wall clock, an hour earlier in UTC.
    march = next_roster_send_at(policy, datetime(2027, 3, 1, tzinfo=UTC))
    assert march == datetime(2027, 3, 28, 7, 30, tzinfo=UTC)


def test_no_send_when_the_roster_is_off():
    assert next_roster_send_at(load_policy({}), datetime(2026, 11, 1, tzinfo=UTC)) is None


def test_roster_month_is_the_month_in_the_departments_zone():
    # 1 December 03:00 UTC is still 30 November in Mexico City.
    assert roster_month(CCIMA, datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == date(2026, 11, 1)
    assert roster_month(CCIMA, _mx(2026, 12, 1, 8, 0)) == date(2026, 12, 1)


def test_a_months_roster_has_gone_out_from_its_send_time_until_the_month_ends():
    december = date(2026, 12, 1)
    assert not roster_gone_out(CCIMA, december, _mx(2026, 11, 30, 12, 0))
    assert not roster_gone_out(CCIMA, december, _mx(2026, 12, 1, 7, 59))
    assert roster_gone_out(CCIMA, december, _mx(2026, 12, 1, 8, 0))
    assert roster_gone_out(CCIMA, december, _mx(2026, 12, 31, 23, 59))
    assert not roster_gone_out(CCIMA, december, _mx(2027, 1, 1, 9, 0))
    assert not roster_gone_out(load_policy({}), december, _mx(2026, 12, 2, 9, 0))


def test_a_roster_can_be_planned_for_this_month_and_the_next():
    assert upcoming_roster_months(CCIMA, _mx(2026, 12, 20, 12, 0)) == (
        date(2026, 12, 1),
        date(2027, 1, 1),
    )


def test_the_roster_channel_and_the_rules_templates_choose_the_message():
    sent, confirmed = (
        roster_message(CCIMA, "roster.sent"),
        roster_message(CCIMA, "roster.confirmed"),
    )
    assert (sent.channel, sent.template) == ("whatsapp", "monthly_roster")
    assert (confirmed.channel, confirmed.template) == ("whatsapp", "access_details")
    # Without a rule for the event, the built-in text on the roster's channel.
    plain = load_policy({"roster": {"enabled": True, "channel": "email"}})
    assert roster_message(plain, "roster.sent").channel == "email"
    assert roster_message(plain, "roster.sent").template == "monthly_roster"


@pytest.mark.parametrize(
    "reply",
    ["CONFIRMO", "confirm", "Sí", "¡Sí, confirmo!", "si", "oui", "Je confirme", "D'accord",
     "да", "Подтверждаю", "ok", "ROSTER_CONFIRM"],
)  # fmt: skip
def test_ccima_3_replies_that_confirm_in_any_language(reply):
    assert is_confirmation(reply)


@pytest.mark.parametrize(
    "reply", ["No", "no confirmo", "Non", "нет", "не подтверждаю", "hola", "Yes please?", "", None]
)
def test_replies_that_do_not_confirm(reply):
    assert not is_confirmation(reply)


def test_confirming_verbs_win_over_chatter_but_not_over_negation():
    assert is_confirmation("Buenos días, confirmo mi guardia")
    assert not is_confirmation("I can not confirm this month")
