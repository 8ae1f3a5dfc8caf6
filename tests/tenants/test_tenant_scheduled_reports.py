"""When a scheduled report is sent and which period it covers (issue 15 item 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from tenants.decisions.scheduled_reports import ReportPeriod, next_send_at, period_covered
from tenants.policy.loading import load_policy
from tenants.policy.reporting import ScheduledReport

PARIS = ZoneInfo("Europe/Paris")
POLICY = load_policy({"calendar": {"time_zone": "Europe/Paris"}})


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS).astimezone(UTC)


def test_a_weekly_report_goes_on_its_weekday_and_covers_the_calendar_week_before():
    report = ScheduledReport(every="week", weekday="wed", at="07:30", to=["manager"])
    sent = next_send_at(POLICY, report, paris(2026, 11, 23, 9))  # a Monday
    assert sent == paris(2026, 11, 25, 7, 30)
    assert period_covered(POLICY, report, sent) == ReportPeriod(
        date(2026, 11, 16), date(2026, 11, 22)
    )


def test_the_next_send_is_strictly_after_the_instant_given():
    report = ScheduledReport(every="month", day=1, at="08:00", to=["director"])
    assert next_send_at(POLICY, report, paris(2026, 12, 1, 8)) == paris(2027, 1, 1, 8)
    assert next_send_at(POLICY, report, paris(2026, 12, 1, 7, 59)) == paris(2026, 12, 1, 8)


def test_a_monthly_report_covers_the_month_before_at_local_wall_time_across_dst():
    report = ScheduledReport(every="month", day=28, at="08:00", to=["director"])
    sent = next_send_at(POLICY, report, paris(2027, 2, 28, 9))
    assert sent == paris(2027, 3, 28, 8)  # summer time began that night: still 08:00 local
    assert sent.hour == 6
    assert period_covered(POLICY, report, sent) == ReportPeriod(date(2027, 2, 1), date(2027, 2, 28))
