"""`assignment` section: who gets a lead (strategy), who may (eligibility) and a fallback."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from tenants.durations import Duration
from tenants.policy.common import Code, Count, Section


class RoundRobin(Section):
    """Next eligible agent after the cursor, in a stable order."""

    strategy: Literal["round_robin"] = "round_robin"


class Weighted(Section):
    """Fewest recent assignments relative to each agent's weight."""

    strategy: Literal["weighted"] = "weighted"


class LeastLoaded(Section):
    """Fewest open leads."""

    strategy: Literal["least_loaded"] = "least_loaded"


class TopPerformer(Section):
    """One of the best agents by a metric over a window; the least loaded of the top N (CCIMA-6)."""

    strategy: Literal["top_performer"] = "top_performer"
    metric: Code = "conversion_rate"
    window: Duration = Duration.parse("30d")
    top_n: Count = 3


class AllocationRule(Section):
    """Leads whose fields match `when` go to `organisation`, or to the one named in a lead field."""

    when: dict[Code, list[str]] = Field(default_factory=dict, description="field -> values")
    organisation: Code | None = None
    organisation_from_field: Code | None = None

    @model_validator(mode="after")
    def _one_target(self) -> "AllocationRule":
        if (self.organisation is None) == (self.organisation_from_field is None):
            raise ValueError("give exactly one of organisation, organisation_from_field")
        return self


class PartnerAllocation(Section):
    """Allocate to a partner organisation by rules on lead fields (CPB)."""

    strategy: Literal["partner_allocation"] = "partner_allocation"
    rules: list[AllocationRule] = Field(min_length=1)
    allocate_to: Literal["partner_user", "organisation"] = Field(
        "partner_user",
        description="partner_user: also pick the organisation's least-loaded partner; "
        "organisation: the organisation's partners share the lead until one takes it",
    )


class Manual(Section):
    """A person assigns by hand; the engine proposes nobody."""

    strategy: Literal["manual"] = "manual"


class ExistingFileManager(Section):
    """Route to the manager already on the customer's file; if away, tag the assistant (BDC-4)."""

    strategy: Literal["existing_file_manager"] = "existing_file_manager"
    when_unavailable: Literal["taker_books_and_tags_assistant", "fallback"] = (
        "taker_books_and_tags_assistant"
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

    kind: Literal["authorised"] = "authorised"


class RosterConfirmed(Section):
    """Only agents on the roster who confirmed it (CCIMA-4)."""

    kind: Literal["roster_confirmed"] = "roster_confirmed"


class InsideHours(Section):
    """Assign only while the department is open; otherwise wait for the next opening (CCIMA-5)."""

    kind: Literal["inside_hours"] = "inside_hours"


class Capacity(Section):
    """At most `max_open_leads` open leads per agent."""

    kind: Literal["capacity"] = "capacity"
    max_open_leads: Count = 50


class Available(Section):
    """Skip agents marked busy or away."""

    kind: Literal["available"] = "available"


Eligibility = Annotated[
    Authorised | RosterConfirmed | InsideHours | Capacity | Available, Field(discriminator="kind")
]


ReceivingRole = Literal["agent", "manager"]


class Receivers(Section):
    """Who may receive the leads of one source; an unset list is the workspace's."""

    receiving_roles: list[ReceivingRole] | None = Field(default=None, min_length=1)
    receiving_teams: list[Code] | None = Field(
        default=None, description="team codes; empty: members of any team or none"
    )


class AssignmentSettings(Section):
    """How a lead finds its agent."""

    strategy: Strategy = Field(default_factory=RoundRobin)
    eligibility: list[Eligibility] = Field(default_factory=list)
    fallback: Strategy | None = None
    direct_to_agents: bool = Field(
        True,
        description="new leads go straight to the strategy's agent (CCIMA-1); false: they"
        " wait unassigned for a person to hand them out or an agent to claim them",
    )
    receiving_roles: list[ReceivingRole] = Field(
        default_factory=lambda: ["agent", "manager"],
        min_length=1,
        description="who strategies pick from (partners: by allocation rules); a manager who"
        " only supervises is left out by listing agent alone",
    )
    receiving_teams: list[Code] = Field(
        default_factory=list,
        description="team codes strategies pick from; empty: members of any team or none",
    )
    by_source: dict[Code, Receivers] = Field(
        default_factory=dict,
        description="intake source code -> the roles and teams its leads go to, each list"
        " falling back to the workspace's",
    )
