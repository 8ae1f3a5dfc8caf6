"""`calendar` section: time zone, business hours per weekday, holidays, closed dates."""

import re
from datetime import date
from functools import cache
from itertools import pairwise
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays
from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema, field_validator

from tenants.errors import Refusal
from tenants.policy.common import N_, WEEKDAYS, Section, Weekday

_INTERVAL = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


def _parse_interval(value: Any) -> tuple[int, int]:
    """'08:00-18:00' -> (480, 1080) minutes after local midnight; '24:00' closes at midnight."""
    if isinstance(value, tuple):
        return value
    match = _INTERVAL.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            Refusal(
                N_("%(value)r is not an interval; use 'HH:MM-HH:MM', e.g. '08:00-18:00'"),
                value=value,
            )
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 23 or m1 > 59 or m2 > 59 or end > 24 * 60:
        raise ValueError(Refusal(N_("%(value)r has an impossible time"), value=value))
    if end <= start:
        raise ValueError(Refusal(N_("interval %(value)r must end after it starts"), value=value))
    return start, end


def _unknown_zone(value: str) -> Refusal:
    return Refusal(
        N_("unknown time zone %(value)r; use an IANA name like 'Europe/London'"), value=value
    )


def _format_interval(value: tuple[int, int]) -> str:
    (h1, m1), (h2, m2) = divmod(value[0], 60), divmod(value[1], 60)
    return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


OpenInterval = Annotated[
    tuple[int, int],
    BeforeValidator(_parse_interval),
    PlainSerializer(_format_interval, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d\d:\d\d-\d\d:\d\d$", "examples": ["08:00-18:00"]}
    ),
]


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


@cache
def _supported_countries() -> dict[str, list[str]]:
    return holidays.list_supported_countries()


class HolidaySource(Section):
    """Public holidays of a country (and subdivision) from the `holidays` package."""

    country: str = Field(title=N_("Country"), description=N_("ISO country code, such as MX"))
    subdivision: str | None = Field(
        None,
        title=N_("Subdivision"),
        description=N_("A state or province of the country, if its holidays differ"),
    )

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value not in _supported_countries():
            raise ValueError(
                Refusal(
                    N_("unknown holiday country %(value)r; use an ISO code such as 'MX'"),
                    value=value,
                )
            )
        return value

    @field_validator("subdivision")
    @classmethod
    def _known_subdivision(cls, value: str | None, info: Any) -> str | None:
        subdivisions = _supported_countries().get(info.data.get("country", ""), [])
        if value is not None and value not in subdivisions:
            raise ValueError(
                Refusal(
                    N_("unknown subdivision %(value)r; allowed: %(allowed)s"),
                    value=value,
                    allowed=", ".join(subdivisions),
                )
            )
        return value


def _default_hours() -> dict[str, list[tuple[int, int]]]:
    return {day: [(9 * 60, 17 * 60)] for day in WEEKDAYS[:5]}


class CalendarSettings(Section):
    """When the department is open: evaluated in its own time zone (ALL-4)."""

    time_zone: str = Field(
        "UTC",
        title=N_("Time zone"),
        description=N_("Every time of day of the policy is read in this zone"),
    )
    business_hours: dict[Weekday, list[OpenInterval]] = Field(
        default_factory=_default_hours,
        title=N_("Business hours"),
        description=N_("Opening intervals per weekday, such as 08:00-18:00"),
    )
    holidays: list[HolidaySource] = Field(
        default_factory=list,
        title=N_("Public holidays"),
        description=N_("Countries whose public holidays close the department"),
    )
    closed_dates: list[date] = Field(
        default_factory=list,
        title=N_("Closed dates"),
        description=N_("Other dates the department is closed"),
    )

    @field_validator("time_zone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(_unknown_zone(value)) from None
        if value not in _zone_names():
            raise ValueError(_unknown_zone(value))
        return value

    @field_validator("business_hours")
    @classmethod
    def _some_hours_and_no_overlap(cls, value: dict[str, list[tuple[int, int]]]) -> dict:
        if not any(value.values()):
            raise ValueError(Refusal(N_("business hours must open at least once a week")))
        for day, intervals in value.items():
            ordered = sorted(intervals)
            for (_, end), (start, _) in pairwise(ordered):
                if start < end:
                    raise ValueError(Refusal(N_("%(day)s: open intervals overlap"), day=day))
            value[day] = ordered
        return value
