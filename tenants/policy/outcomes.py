"""`outcomes` section: the outcome code catalogue and what each code does."""

from typing import Annotated, Literal, get_args

from pydantic import Field, model_validator

from tenants.durations import Duration
from tenants.errors import Refusal
from tenants.policy.common import N_, Code, ContactChannel, Labels, Section


class Cooldown(Section):
    """No re-offer for `duration`, from the outcome or from a later event (L411-7, L411-9)."""

    kind: Literal["cooldown"] = Field(
        "cooldown", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    name: Code = Field("offer", title=N_("Name"), description=N_("The code that names this entry"))
    duration: Duration = Field(
        Duration.parse("30d"),
        title=N_("Duration"),
        description=N_("How long no offer is made again"),
    )
    starts_on: Literal["outcome", "card.closed"] = Field(
        "outcome",
        title=N_("Starts on"),
        description=N_("The outcome itself, or the closing of the card"),
    )


class Transfer(Section):
    """Hand the customer to a team, as a referral lead linked to the account and agent (L411-6)."""

    kind: Literal["transfer"] = Field(
        "transfer", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    team: Code = Field(title=N_("Team"), description=N_("The team concerned"))
    as_referral: bool = Field(
        True,
        title=N_("As a referral"),
        description=N_("A referral lead is created, linked to the account and agent"),
    )
    lead_type: Code | None = Field(
        None, title=N_("Lead type"), description=N_("The type of the referral lead")
    )


class CreateTicket(Section):
    """Open a ticket for a team (L411-8)."""

    kind: Literal["create_ticket"] = Field(
        "create_ticket", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    team: Code = Field(title=N_("Team"), description=N_("The team concerned"))


class ScheduleCallback(Section):
    """A follow-up call task: same day, next open day, or after a duration (L411-6, L411-10)."""

    kind: Literal["schedule_callback"] = Field(
        "schedule_callback", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    when: Literal["same_day", "next_day", "after"] = Field(
        "next_day", title=N_("When"), description=N_("Same day, next open day, or after a duration")
    )
    after: Duration | None = Field(
        None, title=N_("After"), description=N_("How long until the callback, with When: after")
    )
    only_if: Code | None = Field(
        None,
        title=N_("Only if"),
        description=N_("A fact that must be true: a box the agent ticks on the outcome form"),
    )

    @model_validator(mode="after")
    def _after_needs_duration(self) -> "ScheduleCallback":
        if (self.when == "after") != (self.after is not None):
            raise ValueError(Refusal(N_("'after' is required with when: after, and only then")))
        return self


class SetTerminalStatus(Section):
    """Close the lead with a status."""

    kind: Literal["set_status"] = Field(
        "set_status", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    status: Code = Field(title=N_("Status"), description=N_("The status the lead is moved to"))


class CountsAs(Section):
    """Count the outcome in reports as an offer, a missed offer or a behaviour issue (L411-11).

    An outcome that counts as an `offer` records one: it is refused while an eligibility gate
    blocks the account (L411-4); the outcomes that say why no offer was made are not offers.
    """

    kind: Literal["counts_as"] = Field(
        "counts_as", title=N_("Kind"), description=N_("Which kind of entry this is")
    )
    counter: Literal["offer", "missed", "behaviour_issue", "transfer", "deal"] = Field(
        title=N_("Counts as"), description=N_("How the outcome is counted in reports")
    )


Effect = Annotated[
    Cooldown | Transfer | CreateTicket | ScheduleCallback | SetTerminalStatus | CountsAs,
    Field(discriminator="kind"),
]


class Outcome(Section):
    """One outcome code with labels per locale, a yes/no group and its effects."""

    code: Code = Field(title=N_("Code"), description=N_("The code that names this entry"))
    labels: Labels = Field(title=N_("Labels"), description=N_("The name shown, per language"))
    group: Literal["yes", "no"] | None = Field(
        None, title=N_("Group"), description=N_("Whether the outcome counts as a yes or a no")
    )
    effects: list[Effect] = Field(
        default_factory=list,
        title=N_("Effects"),
        description=N_("What recording this outcome does"),
    )

    @property
    def is_offer(self) -> bool:
        """An outcome that counts as an offer records one: the eligibility gates apply (L411-4)."""
        return any(e.kind == "counts_as" and e.counter == "offer" for e in self.effects)


class LoggedChannel(Section):
    """A channel an agent logs a contact on (the outcome form's Channel, the API's activity
    `channel`); without `labels`, the product's own words for the code."""

    code: ContactChannel = Field(title=N_("Code"), description=N_("The code that names this entry"))
    labels: Labels | None = Field(
        None, title=N_("Labels"), description=N_("The name shown, per language")
    )


def _every_contact_channel() -> list[LoggedChannel]:
    return [LoggedChannel(code=code) for code in get_args(ContactChannel)]


class OutcomeSettings(Section):
    """The outcome catalogue; `exactly_one`: a callback ends with one outcome, and a second one
    on the same callback is refused (L411-5). Off unless the department asks for it: a lead
    worked over several contacts (a cadence's rounds) records an outcome at each."""

    exactly_one: bool = Field(
        False,
        title=N_("Exactly one outcome"),
        description=N_("A callback ends with one outcome; a second one is refused"),
    )
    codes: list[Outcome] = Field(
        default_factory=list,
        title=N_("Outcome codes"),
        description=N_("The outcomes agents record and what each one does"),
    )
    contact_channels: list[LoggedChannel] = Field(
        default_factory=_every_contact_channel,
        min_length=1,
        title=N_("Contact channels"),
        description=N_("The channels agents log contacts on, in the order offered"),
    )

    @model_validator(mode="after")
    def _unique_codes(self) -> "OutcomeSettings":
        codes = [o.code for o in self.codes]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(
                Refusal(N_("duplicate outcome code(s): %(codes)s"), codes=", ".join(dupes))
            )
        channels = [c.code for c in self.contact_channels]
        if len(set(channels)) != len(channels):
            raise ValueError(Refusal(N_("a contact channel is listed twice")))
        return self
