"""Business-time arithmetic in the department's time zone, across DST changes and holidays."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

from tenants.durations import Duration
from tenants.errors import Refusal
from tenants.markers import N_
from tenants.policy.calendar import CalendarSettings
from tenants.policy.common import WEEKDAYS

# A department closed for longer than this has a broken calendar, not a long holiday.
_MAX_SEARCH_DAYS = 800


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"datetime {at!r} must be timezone-aware")


class BusinessCalendar:
    """Open hours of one department; datetimes in and out are aware UTC."""

    def __init__(self, settings: CalendarSettings) -> None:
        self.settings = settings
        self.zone = ZoneInfo(settings.time_zone)
        self._closed = set(settings.closed_dates)

    @cached_property
    def _holidays(self) -> list[holidays.HolidayBase]:
        return [
            holidays.country_holidays(h.country, subdiv=h.subdivision)
            for h in self.settings.holidays
        ]

    def local(self, at: datetime) -> datetime:
        """`at` in the department's zone."""
        _require_aware(at)
        return at.astimezone(self.zone)

    def is_closed_date(self, day: date) -> bool:
        """True on an extra closed date or a public holiday."""
        return day in self._closed or any(day in h for h in self._holidays)

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """Open intervals of a local date, as UTC instants (half-open)."""
        if self.is_closed_date(day):
            return []
        spans = self.settings.business_hours.get(WEEKDAYS[day.weekday()], [])
        return [(self._instant(day, start), self._instant(day, end)) for start, end in spans]

    def _instant(self, day: date, minutes: int) -> datetime:
        day, minutes = (day + timedelta(days=1), 0) if minutes == 24 * 60 else (day, minutes)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        # Round-tripping normalises a wall time that falls in a DST gap.
        return local.astimezone(UTC)

    def _intervals_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals ending after `at`, in order, clipped to start no earlier than `at`."""
        first = self.local(at).date() - timedelta(days=1)
        for offset in range(_MAX_SEARCH_DAYS):
            for start, end in self.intervals_on(first + timedelta(days=offset)):
                if end > at:
                    yield max(start, at), end
        raise ValueError(
            Refusal(
                N_("calendar has no opening within %(days)s days of %(at)s"),
                days=_MAX_SEARCH_DAYS,
                at=str(at),
            )
        )

    def is_open(self, at: datetime) -> bool:
        """True if the department is open at `at`."""
        start, _ = next(self._intervals_from(at))
        return start == at

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself if open, else the next instant the department opens."""
        return next(self._intervals_from(at))[0].astimezone(UTC)

    def add(
        self, start: datetime, duration: Duration | timedelta, business: bool = True
    ) -> datetime:
        """`start` plus `duration` of open time (business) or of wall-clock time."""
        if isinstance(duration, Duration) and not business and duration.is_calendar_days:
            # Days on a wall clock move the local date and keep the local time across DST.
            moved = self.local(start) + timedelta(days=duration.days)
            return moved.replace(tzinfo=None).replace(tzinfo=self.zone).astimezone(UTC)
        delta = duration.timedelta if isinstance(duration, Duration) else duration
        if delta < timedelta(0):
            raise ValueError("cannot add a negative duration")
        return (start + delta).astimezone(UTC) if not business else self._add_open(start, delta)

    def _add_open(self, start: datetime, remaining: timedelta) -> datetime:
        # Strictly less-than: a deadline that uses up an interval exactly lands on the next
        # opening, so every result is an open instant and add(a)+add(b) == add(a+b).
        for begin, end in self._intervals_from(start):
            if remaining < end - begin:
                return (begin + remaining).astimezone(UTC)
            remaining -= end - begin
        raise AssertionError("unreachable")  # pragma: no cover

    def open_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time elapsed between two instants."""
        total = timedelta(0)
        for begin, stop in self._intervals_from(start):
            if begin >= end:
                break
            total += min(stop, end) - begin
        return total
