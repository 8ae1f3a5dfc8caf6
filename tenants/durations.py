"""Duration: a typed, compact length of time ("45s", "10m", "24h", "30d", "1w")."""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

from tenants.errors import Refusal
from tenants.markers import N_

_PATTERN = re.compile(r"^\s*(-?\d+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60, "w": 7 * 24 * 60 * 60}
_MAX_SECONDS = 366 * _UNIT_SECONDS["d"]
JSON_PATTERN = r"^[1-9][0-9]*[smhdw]$"


@dataclass(frozen=True, order=False)
class Duration:
    """A positive length of time in one unit: s(econds), m(inutes), h(ours), d(ays), w(eeks).

    Seconds serve clocks that must run out while someone watches: an end-to-end test cannot
    move a real worker's time, so its SLA lasts a few seconds instead.
    """

    amount: int
    unit: str

    @classmethod
    def parse(cls, value: "str | Duration") -> "Duration":
        """Parse "45s" / "15m" / "24h" / "30d" / "1w"; refuse zero, negative and over 366 days."""
        if isinstance(value, Duration):
            return value
        if not isinstance(value, str):
            raise ValueError(
                Refusal(
                    N_(
                        "a duration is a string like '45s', '10m', '24h', '30d' or '1w', "
                        "got %(value)r"
                    ),
                    value=value,
                )
            )
        match = _PATTERN.match(value)
        if match is None:
            raise ValueError(
                Refusal(
                    N_("%(value)r is not a duration; use a number and s, m, h, d or w: '10m'"),
                    value=value,
                )
            )
        amount, unit = int(match[1]), match[2]
        if amount <= 0:
            raise ValueError(Refusal(N_("duration %(value)r must be positive"), value=value))
        if amount * _UNIT_SECONDS[unit] > _MAX_SECONDS:
            raise ValueError(Refusal(N_("duration %(value)r is longer than 366 days"), value=value))
        return cls(amount, unit)

    @property
    def seconds(self) -> int:
        """Length in seconds (days as 24 hours): exact for every unit."""
        return self.amount * _UNIT_SECONDS[self.unit]

    @property
    def timedelta(self) -> timedelta:
        """Length as a timedelta (days as 24 hours)."""
        return timedelta(seconds=self.seconds)

    @property
    def is_calendar_days(self) -> bool:
        """True for day/week units: on a wall clock they move local dates, not 24-hour blocks."""
        return self.unit in ("d", "w")

    @property
    def days(self) -> int:
        """Whole local days for day/week units."""
        return self.seconds // _UNIT_SECONDS["d"]

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": JSON_PATTERN,
            "description": "Duration: number + unit s/m/h/d/w, at most 366 days",
            "examples": ["10m", "24h", "30d", "1w"],
        }
