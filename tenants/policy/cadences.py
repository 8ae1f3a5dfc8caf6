"""`cadences` section: daily contact rounds (BDC-5, BDC-6) and nurture touches (CPB-9)."""

from typing import Annotated, Literal

from pydantic import Field

from tenants.durations import Duration
from tenants.policy.common import Code, ContactChannel, Section


class DailyRounds(Section):
    """Contact every open lead N rounds a day; after N days without contact it may be lost."""

    kind: Literal["daily_rounds"] = "daily_rounds"
    name: Code
    lead_types: list[Code] = Field(default_factory=list, description="empty: every lead type")
    rounds_per_day: int = Field(3, ge=1, le=24)
    channels: list[ContactChannel] = Field(default_factory=lambda: ["call", "sms"], min_length=1)
    lost_after_days: int | None = Field(7, ge=1, le=366)
    lost_status: Code | None = "lost"
    lost_requires_confirmation: bool = True


class Nurture(Section):
    """A periodic touch reminder for long-term leads instead of the follow-up SLA."""

    kind: Literal["nurture"] = "nurture"
    name: Code
    lead_types: list[Code] = Field(default_factory=list)
    every: Duration = Duration.parse("14d")
    channels: list[ContactChannel] = Field(default_factory=lambda: ["email"], min_length=1)


Cadence = Annotated[DailyRounds | Nurture, Field(discriminator="kind")]
