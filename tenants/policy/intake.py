"""`intake` section: sources, required fields, ratings, lead types and statuses."""

from typing import Literal

from pydantic import Field, model_validator

from tenants.errors import Refusal
from tenants.policy.common import N_, Code, Labels, Section


class Source(Section):
    """Where leads come from; `team` registers the source's leads with a team (CCIMA-10)."""

    code: Code = Field(title=N_("Code"), description=N_("The code that names this entry"))
    labels: Labels = Field(title=N_("Labels"), description=N_("The name shown, per language"))
    team: Code | None = Field(
        None, title=N_("Team"), description=N_("The team this source's leads are registered with")
    )


class LeadType(Section):
    """A kind of lead with the qualification fields it must carry (CPB-1: AQL/OQL/RQL, BANT+A)."""

    code: Code = Field(title=N_("Code"), description=N_("The code that names this entry"))
    labels: Labels = Field(title=N_("Labels"), description=N_("The name shown, per language"))
    qualification_fields: list[Code] = Field(
        default_factory=list,
        title=N_("Qualification fields"),
        description=N_("The fields a lead of this type must carry"),
    )


class Choice(Section):
    """One value of a select field."""

    code: Code = Field(title=N_("Code"), description=N_("The code that names this entry"))
    labels: Labels = Field(title=N_("Labels"), description=N_("The name shown, per language"))


FieldKind = Literal[
    "text", "number", "date", "datetime", "yes_no", "select", "phone", "organisation"
]


class LeadField(Section):
    """An attribute leads carry (a required field, a qualification field): its label in each
    language and how it is entered. `organisation` holds a partner organisation of the
    workspace (CPB: the partner a lead is allocated to); `select` one of `choices`."""

    code: Code = Field(title=N_("Code"), description=N_("The code that names this entry"))
    labels: Labels = Field(title=N_("Labels"), description=N_("The name shown, per language"))
    kind: FieldKind = Field(
        "text", title=N_("Input kind"), description=N_("How the field is entered")
    )
    choices: list[Choice] = Field(
        default_factory=list, title=N_("Choices"), description=N_("The values of a select field")
    )

    @model_validator(mode="after")
    def _choices_for_a_select(self) -> "LeadField":
        if (self.kind == "select") != bool(self.choices):
            raise ValueError(
                Refusal(N_("a select field needs choices, and only a select field has them"))
            )
        return self


class IntakeChannel(Section):
    """A way a lead comes in that an agent records on the New lead form (phone-up, walk-in,
    e-mail ...). The agent who takes a `taker_keeps` channel keeps the customer (BDC-3)."""

    code: Code = Field(title=N_("Code"), description=N_("The code that names this entry"))
    labels: Labels = Field(title=N_("Labels"), description=N_("The name shown, per language"))
    taker_keeps: bool = Field(
        False,
        title=N_("Taker keeps the customer"),
        description=N_("The agent who takes a lead on this channel keeps the customer"),
    )


def _default_channels() -> list[IntakeChannel]:
    rows = [
        (
            "phone_up",
            True,
            {
                "en": "Phone-up (the customer called)",
                "es": "Llamada entrante (llamó el cliente)",
                "fr": "Phone-up (le client a appelé)",
                "ru": "Входящий звонок (позвонил клиент)",
            },
        ),
        (
            "walk_in",
            True,
            {"en": "Walk-in", "es": "Visita en persona", "fr": "Visite en personne", "ru": "Визит"},
        ),
        (
            "email",
            False,
            {"en": "E-mail", "es": "Correo electrónico", "fr": "Courriel", "ru": "Эл. почта"},
        ),
        (
            "manual",
            False,
            {
                "en": "Other (manual entry)",
                "es": "Otro (registro manual)",
                "fr": "Autre (saisie manuelle)",
                "ru": "Другое (ручной ввод)",
            },
        ),
    ]
    return [IntakeChannel(code=c, taker_keeps=k, labels=labels) for c, k, labels in rows]


class Status(Section):
    """A lead status; terminal statuses close the lead, exactly one status is the initial one.

    `won` marks the terminal statuses that count as a success (conversion rates, reports);
    `revenue_required` refuses a won status without the deal's revenue (L411-12).
    """

    code: Code = Field(title=N_("Code"), description=N_("The code that names this entry"))
    labels: Labels = Field(title=N_("Labels"), description=N_("The name shown, per language"))
    terminal: bool = Field(
        False, title=N_("Closes the lead"), description=N_("A lead in this status is closed")
    )
    initial: bool = Field(
        False, title=N_("Initial"), description=N_("New leads start in this status")
    )
    won: bool = Field(
        False, title=N_("Won"), description=N_("A closed status that counts as a success")
    )
    revenue_required: bool = Field(
        False, title=N_("Revenue required"), description=N_("Refused without the deal's revenue")
    )

    @model_validator(mode="after")
    def _won_is_terminal(self) -> "Status":
        if self.won and not self.terminal:
            raise ValueError(Refusal(N_("a won status must also be terminal")))
        if self.revenue_required and not self.won:
            raise ValueError(Refusal(N_("only a won status can require revenue")))
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

    sources: list[Source] = Field(
        default_factory=list, title=N_("Sources"), description=N_("Where leads come from")
    )
    required_fields: list[Code] = Field(
        default_factory=lambda: ["name"],
        title=N_("Required fields"),
        description=N_("The fields a new lead must have"),
    )
    rating_scale: list[Code] = Field(
        default_factory=list,
        title=N_("Rating scale"),
        description=N_("Ratings from best to worst, such as AAA, AA, A"),
    )
    lead_types: list[LeadType] = Field(
        default_factory=list,
        title=N_("Lead types"),
        description=N_("The kinds of lead, with their qualification fields"),
    )
    fields: list[LeadField] = Field(
        default_factory=list,
        title=N_("Lead fields"),
        description=N_("Labels and input kinds of the attributes leads carry"),
    )
    channels: list[IntakeChannel] = Field(
        default_factory=_default_channels,
        min_length=1,
        title=N_("Intake channels"),
        description=N_("The ways a lead comes in, recorded on the New lead form"),
    )
    statuses: list[Status] = Field(
        default_factory=_default_statuses,
        min_length=1,
        title=N_("Statuses"),
        description=N_("The statuses a lead moves through"),
    )
    partner_visibility: Literal["own_organisation", "own", "all"] = Field(
        "own_organisation",
        title=N_("What partners see"),
        description=N_("Which leads a partner sees and works"),
    )

    @model_validator(mode="after")
    def _one_initial_status(self) -> "IntakeSettings":
        initial = [s.code for s in self.statuses if s.initial]
        if len(initial) != 1:
            raise ValueError(
                Refusal(
                    N_("exactly one status must be initial, found %(count)s"), count=len(initial)
                )
            )
        for template, codes in (
            (N_("duplicate status code(s): %(codes)s"), [s.code for s in self.statuses]),
            (N_("duplicate lead type code(s): %(codes)s"), [t.code for t in self.lead_types]),
            (N_("duplicate source code(s): %(codes)s"), [s.code for s in self.sources]),
            (N_("duplicate field code(s): %(codes)s"), [f.code for f in self.fields]),
            (N_("duplicate channel code(s): %(codes)s"), [c.code for c in self.channels]),
        ):
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            if dupes:
                raise ValueError(Refusal(template, codes=", ".join(dupes)))
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
    def revenue_codes(self) -> set[str]:
        """Codes of the won statuses that need the deal's revenue."""
        return {s.code for s in self.statuses if s.revenue_required}

    @property
    def taker_channels(self) -> set[str]:
        """Codes of the channels whose taker keeps the customer (BDC-3)."""
        return {c.code for c in self.channels if c.taker_keeps}

    def field(self, code: str) -> LeadField | None:
        """The definition of attribute `code`, if the policy gives one."""
        return next((f for f in self.fields if f.code == code), None)

    @property
    def status_codes(self) -> set[str]:
        """All status codes."""
        return {s.code for s in self.statuses}
