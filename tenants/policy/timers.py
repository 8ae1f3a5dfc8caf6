"""`timers` section: named deadlines started and cancelled by events, with expiry actions."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from tenants.durations import Duration
from tenants.errors import Refusal
from tenants.policy.assignment import Strategy, TopPerformer
from tenants.policy.common import N_, Channel, Code, EventName, Recipient, Section


class Reassign(Section):
    """Take the lead from its agent and assign it by `strategy`."""

    kind: Literal["reassign"] = Field(
        "reassign", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    strategy: Strategy = Field(
        default_factory=TopPerformer,
        title=N_("Strategy"),
        description=N_("The way an agent is chosen"),
    )
    exclude_current: bool = Field(
        True,
        title=N_("Not the current agent"),
        description=N_("The agent who holds the lead cannot receive it again"),
    )


class Reallocate(Section):
    """Withdraw the lead from its partner organisation and allocate it to the one a lead field
    names (a missed review, CPB-2): the first organisation keeps no trace of it."""

    kind: Literal["reallocate"] = Field(
        "reallocate", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    organisation_from_field: Code = Field(
        title=N_("Organisation from field"),
        description=N_("The lead field naming the next organisation"),
    )


class Notify(Section):
    """Notify roles on channels with a template."""

    kind: Literal["notify"] = Field(
        "notify", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    roles: list[Recipient] = Field(min_length=1, title=N_("Who"), description=N_("The people told"))
    channels: list[Channel] = Field(
        default_factory=lambda: ["in_app"],
        min_length=1,
        title=N_("Channels"),
        description=N_("The channels the message goes on"),
    )
    template: Code = Field(title=N_("Message"), description=N_("The message template sent"))


class CreateTask(Section):
    """Create a task for someone, optionally showing a script (L411-3)."""

    kind: Literal["create_task"] = Field(
        "create_task", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    task: Code = Field(title=N_("Task"), description=N_("The kind of task created"))
    assignee: Literal["assignee", "actor", "team"] = Field(
        "assignee", title=N_("For"), description=N_("Who the task is for")
    )
    team: Code | None = Field(None, title=N_("Team"), description=N_("The team concerned"))
    script: Code | None = Field(
        None, title=N_("Script"), description=N_("The script shown with the task")
    )
    while_open: Literal["add", "update"] = Field(
        "add",
        title=N_("While one is open"),
        description=N_("Add another task, or list the lead on the open one"),
    )


class SetStatus(Section):
    """Move the lead to a status."""

    kind: Literal["set_status"] = Field(
        "set_status", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    status: Code = Field(title=N_("Status"), description=N_("The status the lead is moved to"))


class FlagBreach(Section):
    """Record an SLA breach against the lead and its agent."""

    kind: Literal["flag_breach"] = Field(
        "flag_breach", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    flag: Code = Field("sla_breach", title=N_("Flag"), description=N_("The flag raised"))


Action = Annotated[
    Reassign | Reallocate | Notify | CreateTask | SetStatus | FlagBreach,
    Field(discriminator="kind"),
]


class Timer(Section):
    """A deadline: starts on an event, lasts `duration`, cancelled by other events, then acts."""

    name: Code = Field(title=N_("Name"), description=N_("The code that names this entry"))
    starts_on: EventName = Field(
        title=N_("Starts on"), description=N_("The event that starts the timer")
    )
    duration: Duration = Field(
        title=N_("Duration"), description=N_("How long the timer runs before it acts")
    )
    clock: Literal["business", "wall"] = Field(
        "business",
        title=N_("Clock"),
        description=N_("Business time counts only opening hours; wall time counts every hour"),
    )
    lead_types: list[Code] = Field(
        default_factory=list,
        title=N_("Lead types"),
        description=N_("The lead types it applies to; none: every lead type"),
    )
    cancelled_by: list[EventName] = Field(
        default_factory=list,
        title=N_("Cancelled by"),
        description=N_("Events that stop the timer before it acts"),
    )
    reminders: list[Duration] = Field(
        default_factory=list,
        title=N_("Reminders"),
        description=N_("How long before the end a reminder is sent"),
    )
    follows_owner: bool | None = Field(
        default=None,
        title=N_("Follows the owner"),
        description=N_(
            "Restarts for the new owner when the lead changes hands; unset: if assigned"
        ),
    )
    actions: list[Action] = Field(
        min_length=1, title=N_("Actions"), description=N_("What happens when the timer runs out")
    )

    @model_validator(mode="after")
    def _business_time_in_hours(self) -> "Timer":
        # "1d" of business time is ambiguous (24 open hours or one open day?): make it explicit.
        if self.clock == "business" and self.duration.is_calendar_days:
            raise ValueError(
                Refusal(
                    N_(
                        "business-time duration %(duration)s must be in minutes or hours; "
                        "use clock: wall for days and weeks"
                    ),
                    duration=str(self.duration),
                )
            )
        for reminder in self.reminders:
            if reminder.timedelta >= self.duration.timedelta:
                raise ValueError(
                    Refusal(
                        N_("reminder %(reminder)s must be shorter than duration %(duration)s"),
                        reminder=str(reminder),
                        duration=str(self.duration),
                    )
                )
        return self
