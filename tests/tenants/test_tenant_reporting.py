"""The weekly cut-off's decisions: the week it closes, incomplete leads (CCIMA-7) and each
advisor's report (CCIMA-8), from the policy alone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tenants import PolicyInvalid, load_policy
from tenants.decisions.reporting import (
    MISSING_FIELDS,
    MISSING_RATING,
    NOT_WORKED_THIS_WEEK,
    STATUS_NOT_UPDATED,
    CompletenessRules,
    LeadRecord,
    incomplete_leads,
    next_cutoff,
    previous_cutoff,
    week_ending,
    weekly_report,
)
from tenants.profiles import load_profile_policy

CCIMA = load_profile_policy("ccima_contact_center")
MX = ZoneInfo("America/Mexico_City")
CUTOFF = datetime(2026, 11, 16, 9, 0, tzinfo=MX).astimezone(UTC)  # a Monday
WEEK = week_ending(CCIMA, CUTOFF)
TUESDAY = datetime(2026, 11, 10, 11, 0, tzinfo=MX).astimezone(UTC)
LAST_MONTH = datetime(2026, 10, 12, 11, 0, tzinfo=MX).astimezone(UTC)


def _lead(n: int, name: str = "", **fields) -> LeadRecord:
    values = {"name": name or f"Prospect {n}", "phone": "+525512345678", "source": "x"}
    defaults = dict(
        lead_id=n,
        contact_name=name or f"Prospect {n}",
        received_at=TUESDAY,
        status="new",
        rating="A",
        source="digital_marketing",
        values=values,
    )
    return LeadRecord(**{**defaults, **fields})


def _moves(*steps: tuple[int, str]) -> tuple[tuple[datetime, str], ...]:
    """Status moves on days after TUESDAY: (days later, status)."""
    return tuple((TUESDAY + timedelta(days=d), status) for d, status in steps)


def test_ccima_7_the_week_runs_from_last_monday_0900_to_this_one():
    assert WEEK.start == datetime(2026, 11, 9, 9, 0, tzinfo=MX)
    assert WEEK.end == CUTOFF
    assert WEEK.start in WEEK and CUTOFF not in WEEK
    assert CUTOFF - timedelta(microseconds=1) in WEEK
    assert previous_cutoff(CCIMA, CUTOFF) == CUTOFF
    assert previous_cutoff(CCIMA, CUTOFF - timedelta(minutes=1)) == WEEK.start
    assert next_cutoff(CCIMA, CUTOFF - timedelta(minutes=1)) == CUTOFF


def test_a_week_across_a_dst_change_keeps_the_local_wall_time():
    toronto = load_profile_policy("dealer_bdc").model_copy(update={"reporting": CCIMA.reporting})
    after_dst_ends = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("America/Toronto"))
    week = week_ending(toronto, after_dst_ends.astimezone(UTC))
    assert week.end - week.start == timedelta(hours=169)
    assert week.start.astimezone(ZoneInfo("America/Toronto")).hour == 9


def test_ccima_7_a_worked_lead_with_its_rating_and_fields_is_complete():
    worked = _lead(1, status="follow_up", status_changes=_moves((1, "contacted"), (2, "follow_up")))
    assert incomplete_leads(CCIMA, WEEK, [worked]) == []


def test_ccima_7_each_reason_a_lead_is_incomplete():
    untouched = _lead(1, "Zoe", received_at=LAST_MONTH)
    unrated = _lead(2, "Ana", rating=None, status_changes=_moves((1, "contacted")))
    no_phone = _lead(
        3,
        "Luis",
        values={"name": "Luis", "phone": "", "source": "x"},
        status_changes=_moves((0, "contacted")),
    )
    stale = _lead(
        4,
        "Eva",
        received_at=LAST_MONTH,
        status="follow_up",
        status_changes=((LAST_MONTH + timedelta(days=1), "follow_up"),),
    )
    called_but_still_new = _lead(5, "Iris", last_activity_at=TUESDAY + timedelta(hours=1))
    found = {
        x.contact_name: x.reasons
        for x in incomplete_leads(
            CCIMA, WEEK, [untouched, unrated, no_phone, stale, called_but_still_new]
        )
    }
    assert found == {
        "Zoe": (STATUS_NOT_UPDATED, NOT_WORKED_THIS_WEEK),
        "Ana": (MISSING_RATING,),
        "Luis": (MISSING_FIELDS,),
        "Eva": (NOT_WORKED_THIS_WEEK,),
        "Iris": (STATUS_NOT_UPDATED,),
    }
    (luis,) = [x for x in incomplete_leads(CCIMA, WEEK, [no_phone])]
    assert luis.missing_fields == ("phone",)


def test_closed_leads_and_leads_received_after_the_cutoff_are_never_incomplete():
    lost = _lead(1, rating=None, status="lost", status_changes=_moves((1, "lost")))
    later = _lead(2, received_at=CUTOFF + timedelta(minutes=5))
    assert incomplete_leads(CCIMA, WEEK, [lost, later]) == []


def test_what_happens_after_the_cutoff_does_not_change_the_week():
    # Worked only after the cut-off: still incomplete for the week that closed (late firing).
    late = _lead(
        1, status="contacted", status_changes=((CUTOFF + timedelta(hours=1), "contacted"),)
    )
    (found,) = incomplete_leads(CCIMA, WEEK, [late])
    assert found.reasons == (STATUS_NOT_UPDATED, NOT_WORKED_THIS_WEEK)


def test_completeness_is_configurable():
    unrated = _lead(1, rating=None, received_at=LAST_MONTH)
    relaxed = CompletenessRules.for_policy(
        CCIMA, rating_required=False, status_beyond_initial=False, worked_every_week=False
    )
    assert incomplete_leads(CCIMA, WEEK, [unrated], relaxed) == []
    assert CompletenessRules.for_policy(load_policy({})).rating_required is False


def test_ccima_8_weekly_report_counts_a_seeded_week():
    records = [
        # Received this week, worked to an appointment, then an opportunity.
        _lead(
            1,
            "Carla",
            rating="AAA",
            status="opportunity",
            status_changes=_moves((0, "contacted"), (1, "appointment_held"), (2, "opportunity")),
        ),
        # Received this week, reserved (won): a reservation, AAA.
        _lead(
            2,
            "Beto",
            rating="AAA",
            source="fuente_mkt_ccima",
            status="reserved",
            status_changes=_moves((0, "contacted"), (3, "reserved")),
        ),
        # Last month's lead in follow-up, AAA, appointment held this week.
        _lead(
            3,
            "Alma",
            rating="AAA",
            received_at=LAST_MONTH,
            status="appointment_held",
            status_changes=((LAST_MONTH, "follow_up"), (TUESDAY, "appointment_held")),
        ),
        # Opportunity this week without an appointment: not "from appointments".
        _lead(4, "Dora", status="opportunity", status_changes=_moves((1, "opportunity"))),
        # Received this week, still new; an AAA lost this week is not a prospect.
        _lead(5, "Elsa", source="fuente_mkt_ccima"),
        _lead(6, "Fito", rating="AAA", status="lost", status_changes=_moves((1, "lost"))),
        # An old reservation: not this week's.
        _lead(
            7,
            "Gus",
            rating="AAA",
            received_at=LAST_MONTH,
            status="reserved",
            status_changes=((LAST_MONTH, "reserved"),),
        ),
    ]
    report = weekly_report(CCIMA, WEEK, records)
    assert report.figures == {
        "leads_received": 5,  # Carla, Beto, Dora, Elsa, Fito
        "prospects_in_follow_up": 3,  # Carla, Alma, Dora (Elsa is still new)
        "appointments_held": 2,  # Carla, Alma
        "sales_opportunities_from_appointments": 1,  # Carla
        "reservations": 1,  # Beto
        "aaa_prospects_count": 3,
        "aaa_prospect_names": ["Alma", "Beto", "Carla"],
    }
    assert list(report.figures) == CCIMA.reporting.weekly_report_fields
    assert report.received_by_source == {"digital_marketing": 3, "fuente_mkt_ccima": 2}
    assert [x.contact_name for x in report.incomplete] == ["Elsa"]


def test_stage_fields_are_none_where_the_policy_has_no_such_status():
    blank = load_policy({"reporting": {"weekly_report_fields": ["appointments_held", "bogus"]}})
    report = weekly_report(blank, WEEK, [_lead(1)])
    assert report.figures == {"appointments_held": None, "bogus": None}


def test_a_policy_names_the_status_each_stage_field_counts():
    """A department whose appointments are status `rdv` counts them without code changes."""
    policy = load_policy(
        {
            "intake": {
                "statuses": [
                    {"code": "new", "initial": True, "labels": {"en": "New"}},
                    {"code": "rdv", "labels": {"en": "Appointment", "fr": "RDV"}},
                    {"code": "invalid", "terminal": True, "labels": {"en": "Invalid"}},
                ]
            },
            "reporting": {
                "weekly_report_fields": ["appointments_held"],
                "stage_statuses": {"appointments_held": "rdv"},
            },
        }
    )
    lead = _lead(1, status_changes=_moves((2, "rdv")))
    assert weekly_report(policy, WEEK, [lead]).figures == {"appointments_held": 1}


def test_a_stage_mapped_to_an_unknown_status_is_refused_by_path():
    with pytest.raises(PolicyInvalid) as refused:
        load_policy({"reporting": {"stage_statuses": {"appointments_held": "nope"}}})
    assert [path for path, _ in refused.value.errors] == [
        "reporting.stage_statuses.appointments_held"
    ]
