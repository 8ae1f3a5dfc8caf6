"""`counters` section: thresholds on counted events that raise a flag (L411-2)."""

from typing import Literal

from pydantic import Field

from tenants.durations import Duration
from tenants.policy.common import N_, Code, Count, EventName, Section


class Counter(Section):
    """Raise `flag` once `threshold` `event`s happened on the scope since the anchor."""

    name: Code = Field(title=N_("Name"), description=N_("The code that names this entry"))
    event: EventName = Field(title=N_("Event"), description=N_("The event that is counted"))
    scope: Literal["account", "lead", "agent"] = Field(
        "account",
        title=N_("Counted per"),
        description=N_("Whether events are counted per account, lead or agent"),
    )
    since: Literal["signup", "ever", "window"] = Field(
        "signup",
        title=N_("Counted since"),
        description=N_("Since signup, ever, or within a window"),
    )
    window: Duration | None = Field(
        None, title=N_("Window"), description=N_("The period counted when counting within a window")
    )
    threshold: Count = Field(
        title=N_("Threshold"),
        description=N_("How many events raise the flag"),
        json_schema_extra={"unit": N_("events")},
    )
    flag: Code = Field(title=N_("Flag"), description=N_("The flag raised"))
