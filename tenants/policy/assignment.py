"""`assignment` section: who gets a lead (strategy), who may (eligibility) and a fallback."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from tenants.durations import Duration
from tenants.errors import Refusal
from tenants.policy.common import N_, Code, Count, Section


class RoundRobin(Section):
    """Next eligible agent after the cursor, in a stable order."""

    strategy: Literal["round_robin"] = Field(
        "round_robin", title=N_("Strategy"), description=N_("The way an agent is chosen")
    )


class Weighted(Section):
    """Fewest recent assignments relative to each agent's weight."""

    strategy: Literal["weighted"] = Field(
        "weighted", title=N_("Strategy"), description=N_("The way an agent is chosen")
    )


class LeastLoaded(Section):
    """Fewest open leads."""

    strategy: Literal["least_loaded"] = Field(
        "least_loaded", title=N_("Strategy"), description=N_("The way an agent is chosen")
    )


class TopPerformer(Section):
    """One of the best agents by a metric over a window; the least loaded of the top N (CCIMA-6)."""

    strategy: Literal["top_performer"] = Field(
        "top_performer", title=N_("Strategy"), description=N_("The way an agent is chosen")
    )
    metric: Code = Field(
        "conversion_rate", title=N_("Metric"), description=N_("What makes an agent one of the best")
    )
    window: Duration = Field(
        Duration.parse("30d"),
        title=N_("Over"),
        description=N_("The period the metric is measured over"),
    )
    top_n: Count = Field(
        3,
        title=N_("How many of the best"),
        description=N_("The lead goes to the least loaded of this many best agents"),
        json_schema_extra={"unit": N_("agents")},
    )


class AllocationRule(Section):
    """Leads whose fields match `when` go to `organisation`, or to the one named in a lead field."""

    when: dict[Code, list[str]] = Field(
        default_factory=dict,
        title=N_("When"),
        description=N_("Lead field and the values that match"),
    )
    organisation: Code | None = Field(
        None,
        title=N_("Organisation"),
        description=N_("The partner organisation that receives the lead"),
    )
    organisation_from_field: Code | None = Field(
        None,
        title=N_("Organisation from field"),
        description=N_("The lead field naming the next organisation"),
    )

    @model_validator(mode="after")
    def _one_target(self) -> "AllocationRule":
        if (self.organisation is None) == (self.organisation_from_field is None):
            raise ValueError(
                Refusal(N_("give exactly one of organisation, organisation_from_field"))
            )
        return self


class PartnerAllocation(Section):
    """Allocate to a partner organisation by rules on lead fields (CPB)."""

    strategy: Literal["partner_allocation"] = Field(
        "partner_allocation", title=N_("Strategy"), description=N_("The way an agent is chosen")
    )
    rules: list[AllocationRule] = Field(
        min_length=1,
        title=N_("Allocation rules"),
        description=N_("Lead fields that send a lead to a partner organisation"),
    )
    allocate_to: Literal["partner_user", "organisation"] = Field(
        "partner_user",
        title=N_("Allocate to"),
        description=N_("A partner of the organisation, or the organisation as a whole"),
    )


class Manual(Section):
    """A person assigns by hand; the engine proposes nobody."""

    strategy: Literal["manual"] = Field(
        "manual", title=N_("Strategy"), description=N_("The way an agent is chosen")
    )


class ExistingFileManager(Section):
    """Route to the manager already on the customer's file; if away, tag the assistant (BDC-4)."""

    strategy: Literal["existing_file_manager"] = Field(
        "existing_file_manager", title=N_("Strategy"), description=N_("The way an agent is chosen")
    )
    when_unavailable: Literal["taker_books_and_tags_assistant", "fallback"] = Field(
        "taker_books_and_tags_assistant",
        title=N_("When the manager is away"),
        description=N_("The taker books and tags the assistant, or the fallback assigns"),
    )


Strategy = Annotated[
    RoundRobin
    | Weighted
    | LeastLoaded
    | TopPerformer
    | PartnerAllocation
    | Manual
    | ExistingFileManager,
    Field(discriminator="strategy"),
]


class Authorised(Section):
    """Only authorised agents meeting the guidelines (CCIMA-2)."""

    kind: Literal["authorised"] = Field(
        "authorised", title=N_("Kind"), description=N_("Which kind of entry this is")
    )


class RosterConfirmed(Section):
    """Only agents on the roster who confirmed it (CCIMA-4)."""

    kind: Literal["roster_confirmed"] = Field(
        "roster_confirmed", title=N_("Kind"), description=N_("Which kind of entry this is")
    )


class InsideHours(Section):
    """Assign only while the department is open; otherwise wait for the next opening (CCIMA-5)."""

    kind: Literal["inside_hours"] = Field(
        "inside_hours", title=N_("Kind"), description=N_("Which kind of entry this is")
    )


class Capacity(Section):
    """At most `max_open_leads` open leads per agent."""

    kind: Literal["capacity"] = Field(
        "capacity", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    max_open_leads: Count = Field(
        50,
        title=N_("Most open leads"),
        description=N_("The most open leads an agent may hold"),
        json_schema_extra={"unit": N_("leads")},
    )


class Available(Section):
    """Skip agents marked busy or away."""

    kind: Literal["available"] = Field(
        "available", title=N_("Kind"), description=N_("Which kind of entry this is")
    )


Eligibility = Annotated[
    Authorised | RosterConfirmed | InsideHours | Capacity | Available, Field(discriminator="kind")
]


ReceivingRole = Literal["agent", "manager"]


class Receivers(Section):
    """Who may receive the leads of one source; an unset list is the workspace's."""

    receiving_roles: list[ReceivingRole] | None = Field(
        default=None,
        min_length=1,
        title=N_("Receiving roles"),
        description=N_("The roles the strategies pick from"),
    )
    receiving_teams: list[Code] | None = Field(
        default=None,
        title=N_("Receiving teams"),
        description=N_("The teams the strategies pick from; none: any team"),
    )


class AssignmentSettings(Section):
    """How a lead finds its agent."""

    strategy: Strategy = Field(
        default_factory=RoundRobin,
        title=N_("How a lead is assigned"),
        description=N_("The way the agent who receives a new lead is chosen"),
    )
    eligibility: list[Eligibility] = Field(
        default_factory=list,
        title=N_("Who may receive leads"),
        description=N_("Conditions an agent must meet to receive a lead"),
    )
    fallback: Strategy | None = Field(
        None,
        title=N_("Fallback"),
        description=N_("The way to assign when the strategy finds nobody"),
    )
    direct_to_agents: bool = Field(
        True,
        title=N_("Straight to agents"),
        description=N_(
            "New leads go at once to the chosen agent; off: they wait to be handed out or claimed"
        ),
    )
    receiving_roles: list[ReceivingRole] = Field(
        default_factory=lambda: ["agent", "manager"],
        min_length=1,
        title=N_("Receiving roles"),
        description=N_("The roles the strategies pick from"),
    )
    receiving_teams: list[Code] = Field(
        default_factory=list,
        title=N_("Receiving teams"),
        description=N_("The teams the strategies pick from; none: any team"),
    )
    by_source: dict[Code, Receivers] = Field(
        default_factory=dict,
        title=N_("By source"),
        description=N_("Roles and teams that receive the leads of each source"),
    )
