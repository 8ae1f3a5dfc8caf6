"""Scheduled reports (issue 15 item 6): when each one is sent and which period it covers.

A weekly report is sent on its weekday and covers the calendar week (Monday to Sunday) before
the one it is sent in; a monthly report on its day of the month, covering the month before.
Times are the department's local wall time (its calendar's zone), as the weekly cut-off's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tenants.calendar import BusinessCalendar
from tenants.policy import Policy
from tenants.policy.common import WEEKDAYS
from tenants.policy.reporting import ScheduledReport

WEEK = "week"
MONTH = "month"


@dataclass(frozen=True)
class ReportPeriod:
    """Local dates `first`..`last`, both included."""

    first: date
    last: date


def _send_days(report: ScheduledReport, today: date) -> list[date]:
    """This period's send day and the next one's, the first on or after `today`'s period."""
    if report.every == WEEK:
        monday = today - timedelta(days=today.weekday())
        day = monday + timedelta(days=WEEKDAYS.index(report.weekday))
        return [day, day + timedelta(days=7)]
    this_month = today.replace(day=report.day)
    return [this_month, _next_month(today).replace(day=report.day)]


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def next_send_at(policy: Policy, report: ScheduledReport, after: datetime) -> datetime:
    """The first time `report` is sent strictly after `after` (UTC)."""
    cal = BusinessCalendar(policy.calendar)
    for day in _send_days(report, cal.local(after).date()):
        at = datetime.combine(day, report.at, tzinfo=cal.zone).astimezone(UTC)
        if at > after:
            return at
    raise AssertionError("unreachable")  # pragma: no cover


def period_covered(policy: Policy, report: ScheduledReport, sent_at: datetime) -> ReportPeriod:
    """The previous week or month of the local date the report is sent on."""
    day = BusinessCalendar(policy.calendar).local(sent_at).date()
    if report.every == WEEK:
        monday = day - timedelta(days=day.weekday())
        return ReportPeriod(monday - timedelta(days=7), monday - timedelta(days=1))
    first_of_month = day.replace(day=1)
    last = first_of_month - timedelta(days=1)
    return ReportPeriod(last.replace(day=1), last)


def slot_next_at(index: int):
    """The `next_at` of the recurring clock for the policy's `index`-th scheduled report
    (None, the clock is off, when the policy has fewer)."""

    def next_at(policy: Policy, after: datetime) -> datetime | None:
        reports = policy.reporting.scheduled
        return next_send_at(policy, reports[index], after) if index < len(reports) else None

    return next_at


def clock_kind(index: int) -> str:
    """The deadline kind of the clock of the policy's `index`-th scheduled report."""
    return f"reporting.scheduled.{index + 1}"
