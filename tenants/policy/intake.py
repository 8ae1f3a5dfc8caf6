"""`intake` section: sources, required fields, ratings, lead types and statuses."""

from typing import Literal

from pydantic import Field, model_validator

from tenants.policy.common import Code, Labels, Section


class Source(Section):
    """Where leads come from; `team` registers the source's leads with a team (CCIMA-10)."""

    code: Code
    labels: Labels
    team: Code | None = None


class LeadType(Section):
    """A kind of lead with the qualification fields it must carry (CPB-1: AQL/OQL/RQL, BANT+A)."""

    code: Code
    labels: Labels
    qualification_fields: list[Code] = Field(default_factory=list)


class Status(Section):
    """A lead status; terminal statuses close the lead, exactly one status is the initial one.

    `won` marks the terminal statuses that count as a success (conversion rates, reports).
    """

    code: Code
    labels: Labels
    terminal: bool = False
    initial: bool = False
    won: bool = False

    @model_validator(mode="after")
    def _won_is_terminal(self) -> "Status":
        if self.won and not self.terminal:
            raise ValueError("a won status must also be terminal")
        return self


def _default_statuses() -> list[Status]:
    rows = [
        ("new", "New", False, True),
        ("open", "In progress", False, False),
        ("won", "Won", True, False),  # made a won status below
        ("lost", "Lost", True, False),
        ("invalid", "Invalid", True, False),
    ]
    return [
        Status(code=c, labels={"en": label}, terminal=t, initial=i, won=c == "won")
        for c, label, t, i in rows
    ]


class IntakeSettings(Section):
    """What a lead is in this department."""

    sources: list[Source] = Field(default_factory=list)
    required_fields: list[Code] = Field(default_factory=lambda: ["name"])
    rating_scale: list[Code] = Field(
        default_factory=list, description="best first, e.g. AAA, AA, A"
    )
    lead_types: list[LeadType] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=_default_statuses, min_length=1)
    partner_visibility: Literal["own_organisation", "own", "all"] = Field(
        "own_organisation",
        description="which leads a partner sees and works (CPB-10): those of their own"
        " organisation, only those they hold, or every partner organisation's; never the"
        " unassigned pool",
    )

    @model_validator(mode="after")
    def _one_initial_status(self) -> "IntakeSettings":
        initial = [s.code for s in self.statuses if s.initial]
        if len(initial) != 1:
            raise ValueError(f"exactly one status must be initial, found {len(initial)}")
        for what, codes in (
            ("status", [s.code for s in self.statuses]),
            ("lead type", [t.code for t in self.lead_types]),
            ("source", [s.code for s in self.sources]),
        ):
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            if dupes:
                raise ValueError(f"duplicate {what} code(s): {', '.join(dupes)}")
        return self

    @property
    def initial_status(self) -> str:
        """Code of the status a new lead starts in."""
        return next(s.code for s in self.statuses if s.initial)

    @property
    def terminal_codes(self) -> set[str]:
        """Codes of the statuses that close a lead."""
        return {s.code for s in self.statuses if s.terminal}

    @property
    def won_codes(self) -> set[str]:
        """Codes of the statuses that count as a success."""
        return {s.code for s in self.statuses if s.won}

    @property
    def status_codes(self) -> set[str]:
        """All status codes."""
        return {s.code for s in self.statuses}
