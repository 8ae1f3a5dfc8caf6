"""`timers` section: named deadlines started and cancelled by events, with expiry actions."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from tenants.durations import Duration
from tenants.policy.assignment import Strategy, TopPerformer
from tenants.policy.common import Channel, Code, EventName, Recipient, Section


class Reassign(Section):
    """Take the lead from its agent and assign it by `strategy`."""

    kind: Literal["reassign"] = "reassign"
    strategy: Strategy = Field(default_factory=TopPerformer)
    exclude_current: bool = True


class Reallocate(Section):
    """Withdraw the lead from its partner organisation and allocate it to the one a lead field
    names (a missed review, CPB-2): the first organisation keeps no trace of it."""

    kind: Literal["reallocate"] = "reallocate"
    organisation_from_field: Code = Field(description="the lead field naming the next organisation")


class Notify(Section):
    """Notify roles on channels with a template."""

    kind: Literal["notify"] = "notify"
    roles: list[Recipient] = Field(min_length=1)
    channels: list[Channel] = Field(default_factory=lambda: ["in_app"], min_length=1)
    template: Code


class CreateTask(Section):
    """Create a task for someone, optionally showing a script (L411-3)."""

    kind: Literal["create_task"] = "create_task"
    task: Code
    assignee: Literal["assignee", "actor", "team"] = "assignee"
    team: Code | None = None
    script: Code | None = None
    while_open: Literal["add", "update"] = Field(
        "add",
        description="a new lead while the assignee's task of this kind for the same account is "
        "still open: add another task, or list the lead on the open one",
    )


class SetStatus(Section):
    """Move the lead to a status."""

    kind: Literal["set_status"] = "set_status"
    status: Code


class FlagBreach(Section):
    """Record an SLA breach against the lead and its agent."""

    kind: Literal["flag_breach"] = "flag_breach"
    flag: Code = "sla_breach"


Action = Annotated[
    Reassign | Reallocate | Notify | CreateTask | SetStatus | FlagBreach,
    Field(discriminator="kind"),
]


class Timer(Section):
    """A deadline: starts on an event, lasts `duration`, cancelled by other events, then acts."""

    name: Code
    starts_on: EventName
    duration: Duration
    clock: Literal["business", "wall"] = "business"
    lead_types: list[Code] = Field(default_factory=list, description="empty: every lead type")
    cancelled_by: list[EventName] = Field(default_factory=list)
    reminders: list[Duration] = Field(default_factory=list, description="how long before due")
    follows_owner: bool | None = Field(
        default=None,
        description="ends when the lead changes hands and restarts for the new owner; unset:"
        " the timers started by lead.assigned or lead.allocated do",
    )
    actions: list[Action] = Field(min_length=1)

    @model_validator(mode="after")
    def _business_time_in_hours(self) -> "Timer":
        # "1d" of business time is ambiguous (24 open hours or one open day?): make it explicit.
        if self.clock == "business" and self.duration.is_calendar_days:
            raise ValueError(
                f"business-time duration {self.duration} must be in minutes or hours; "
                "use clock: wall for days and weeks"
            )
        for reminder in self.reminders:
            if reminder.timedelta >= self.duration.timedelta:
                raise ValueError(
                    f"reminder {reminder} must be shorter than duration {self.duration}"
                )
        return self
