"""`cadences` section: daily contact rounds (BDC-5, BDC-6) and nurture touches (CPB-9)."""

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from tenants.durations import Duration
from tenants.policy.common import Code, ContactChannel, Section


class DailyRounds(Section):
    """Contact every open lead N rounds a day; after N days without contact it may be lost."""

    kind: Literal["daily_rounds"] = "daily_rounds"
    name: Code
    lead_types: list[Code] = Field(default_factory=list, description="empty: every lead type")
    rounds_per_day: int = Field(3, ge=1, le=24)
    channels: list[ContactChannel] = Field(default_factory=lambda: ["call", "sms"], min_length=1)
    lost_after: Duration | None = Field(
        Duration.parse("7d"),
        description="time without reaching the customer before the lead is lost (days count "
        "local dates; shorter units elapsed time); none: never",
    )
    lost_status: Code | None = "lost"
    lost_requires_confirmation: bool = True

    @model_validator(mode="before")
    @classmethod
    def _whole_days_of_old_documents(cls, data: Any) -> Any:
        """Documents stored before `lost_after` was a duration said `lost_after_days: 7`."""
        if not isinstance(data, dict) or "lost_after_days" not in data:
            return data
        data = dict(data)
        days = data.pop("lost_after_days")
        if "lost_after" in data:
            raise ValueError("lost_after_days is the old name of lost_after: give only lost_after")
        if isinstance(days, int) and not isinstance(days, bool):
            days = f"{days}d"
        data["lost_after"] = days
        return data


class Nurture(Section):
    """A periodic touch reminder for long-term leads instead of the follow-up SLA."""

    kind: Literal["nurture"] = "nurture"
    name: Code
    lead_types: list[Code] = Field(default_factory=list)
    every: Duration = Duration.parse("14d")
    channels: list[ContactChannel] = Field(default_factory=lambda: ["email"], min_length=1)


Cadence = Annotated[DailyRounds | Nurture, Field(discriminator="kind")]
