"""A report's period: a preset or a custom range of local dates, as UTC instants, and the
day/week/month buckets inside it, all in the workspace's time zone (ALL-4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from tenants.policy.common import WEEKDAYS
from webapp.clock import now

PRESETS = {
    "today": _l("Today"),
    "week": _l("This week"),
    "last_30_days": _l("Last 30 days"),
    "custom": _l("Custom"),
}
DEFAULT_PRESET = "week"


class PeriodInvalid(ValueError):
    """A period that cannot be reported on; `field` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Period:
    """Local dates `first`..`last` (inclusive) in `zone`."""

    first: date
    last: date
    zone: str

    @property
    def start(self) -> datetime:
        return _instant(self.first, self.zone)

    @property
    def end(self) -> datetime:
        return _instant(self.last + timedelta(days=1), self.zone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def buckets(self, unit: str) -> list[tuple[date, datetime, datetime]]:
        """(label date, start, end) of each local day, ISO week or month the period touches."""
        starts = _bucket_starts(self.first, self.last, unit)
        ends = [*starts[1:], _next_start(starts[-1], unit)]
        return [
            (s, max(_instant(s, self.zone), self.start), min(_instant(e, self.zone), self.end))
            for s, e in zip(starts, ends, strict=True)
        ]


def _instant(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(zone))


def _floor(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next_start(day: date, unit: str) -> date:
    if unit == "week":
        return day + timedelta(days=len(WEEKDAYS))  # a calendar week
    if unit == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def _bucket_starts(first: date, last: date, unit: str) -> list[date]:
    starts, day = [], _floor(first, unit)
    while day <= last:
        starts.append(day)
        day = _next_start(day, unit)
    return starts


def today_in(zone: str) -> date:
    return now().astimezone(ZoneInfo(zone)).date()


def preset(name: str, zone: str) -> Period:
    today = today_in(zone)
    if name == "today":
        return Period(today, today, zone)
    if name == "last_30_days":
        return Period(today - timedelta(days=29), today, zone)
    return Period(today - timedelta(days=today.weekday()), today, zone)


def _date(field: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PeriodInvalid(field, str(_l("Not a date (YYYY-MM-DD)."))) from None


def parse(args: dict[str, str], zone: str, max_days: int) -> Period:
    """The period `args` ask for (`period` a preset, or `from` and `to` local dates)."""
    name = args.get("period") or ("custom" if args.get("from") or args.get("to") else "")
    if name and name not in PRESETS:
        raise PeriodInvalid("period", str(_l("Not a period this page knows.")))
    if name != "custom":
        return preset(name or DEFAULT_PRESET, zone)
    today = today_in(zone)
    first = _date("from", args["from"]) if args.get("from") else today
    last = _date("to", args["to"]) if args.get("to") else today
    if last < first:
        raise PeriodInvalid("to", str(_l("The period ends before it starts.")))
    if (last - first).days + 1 > max_days:
        raise PeriodInvalid(
            "to", str(_l("The period is longer than %(days)s days.", days=max_days))
        )
    return Period(first, last, zone)
