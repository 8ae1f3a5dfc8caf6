"""`cadences` section: daily contact rounds (BDC-5, BDC-6) and nurture touches (CPB-9)."""

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from tenants.durations import Duration
from tenants.errors import Refusal
from tenants.policy.common import N_, Code, ContactChannel, Section


class DailyRounds(Section):
    """Contact every open lead N rounds a day; after N days without contact it may be lost."""

    kind: Literal["daily_rounds"] = Field(
        "daily_rounds", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    name: Code = Field(title=N_("Name"), description=N_("The code that names this entry"))
    lead_types: list[Code] = Field(
        default_factory=list,
        title=N_("Lead types"),
        description=N_("The lead types it applies to; none: every lead type"),
    )
    rounds_per_day: int = Field(
        3,
        ge=1,
        le=24,
        title=N_("Rounds a day"),
        description=N_("How many times a day every open lead is contacted"),
        json_schema_extra={"unit": N_("rounds")},
    )
    channels: list[ContactChannel] = Field(
        default_factory=lambda: ["call", "sms"],
        min_length=1,
        title=N_("Channels"),
        description=N_("The channels used to make contact"),
    )
    lost_after: Duration | None = Field(
        Duration.parse("7d"),
        title=N_("Lost after"),
        description=N_("Time without reaching the customer before the lead is lost; none: never"),
    )
    lost_status: Code | None = Field(
        "lost", title=N_("Lost status"), description=N_("The status a lost lead is given")
    )
    lost_requires_confirmation: bool = Field(
        True,
        title=N_("Loss needs confirmation"),
        description=N_("A person confirms before the lead is marked lost"),
    )

    @model_validator(mode="before")
    @classmethod
    def _whole_days_of_old_documents(cls, data: Any) -> Any:
        """Documents stored before `lost_after` was a duration said `lost_after_days: 7`."""
        if not isinstance(data, dict) or "lost_after_days" not in data:
            return data
        data = dict(data)
        days = data.pop("lost_after_days")
        if "lost_after" in data:
            raise ValueError(
                Refusal(N_("lost_after_days is the old name of lost_after: give only lost_after"))
            )
        if isinstance(days, int) and not isinstance(days, bool):
            days = f"{days}d"
        data["lost_after"] = days
        return data


class Nurture(Section):
    """A periodic touch reminder for long-term leads instead of the follow-up SLA."""

    kind: Literal["nurture"] = Field(
        "nurture", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    name: Code = Field(title=N_("Name"), description=N_("The code that names this entry"))
    lead_types: list[Code] = Field(
        default_factory=list,
        title=N_("Lead types"),
        description=N_("The lead types it applies to; none: every lead type"),
    )
    every: Duration = Field(
        Duration.parse("14d"), title=N_("Every"), description=N_("How often a touch is due")
    )
    channels: list[ContactChannel] = Field(
        default_factory=lambda: ["email"],
        min_length=1,
        title=N_("Channels"),
        description=N_("The channels used to make contact"),
    )


Cadence = Annotated[DailyRounds | Nurture, Field(discriminator="kind")]
