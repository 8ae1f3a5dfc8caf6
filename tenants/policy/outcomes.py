"""`outcomes` section: the outcome code catalogue and what each code does."""

from typing import Annotated, Literal, get_args

from pydantic import Field, model_validator

from tenants.durations import Duration
from tenants.policy.common import Code, ContactChannel, Labels, Section


class Cooldown(Section):
    """No re-offer for `duration`, from the outcome or from a later event (L411-7, L411-9)."""

    kind: Literal["cooldown"] = "cooldown"
    name: Code = "offer"
    duration: Duration = Duration.parse("30d")
    starts_on: Literal["outcome", "card.closed"] = "outcome"


class Transfer(Section):
    """Hand the customer to a team, as a referral lead linked to the account and agent (L411-6)."""

    kind: Literal["transfer"] = "transfer"
    team: Code
    as_referral: bool = True
    lead_type: Code | None = Field(None, description="type of the referral lead it creates")


class CreateTicket(Section):
    """Open a ticket for a team (L411-8)."""

    kind: Literal["create_ticket"] = "create_ticket"
    team: Code


class ScheduleCallback(Section):
    """A follow-up call task: same day, next open day, or after a duration (L411-6, L411-10)."""

    kind: Literal["schedule_callback"] = "schedule_callback"
    when: Literal["same_day", "next_day", "after"] = "next_day"
    after: Duration | None = None
    only_if: Code | None = Field(
        None, description="fact that must be true, e.g. requested_callback"
    )

    @model_validator(mode="after")
    def _after_needs_duration(self) -> "ScheduleCallback":
        if (self.when == "after") != (self.after is not None):
            raise ValueError("'after' is required with when: after, and only then")
        return self


class SetTerminalStatus(Section):
    """Close the lead with a status."""

    kind: Literal["set_status"] = "set_status"
    status: Code


class CountsAs(Section):
    """Count the outcome in reports as an offer, a missed offer or a behaviour issue (L411-11).

    An outcome that counts as an `offer` records one: it is refused while an eligibility gate
    blocks the account (L411-4); the outcomes that say why no offer was made are not offers.
    """

    kind: Literal["counts_as"] = "counts_as"
    counter: Literal["offer", "missed", "behaviour_issue", "transfer", "deal"]


Effect = Annotated[
    Cooldown | Transfer | CreateTicket | ScheduleCallback | SetTerminalStatus | CountsAs,
    Field(discriminator="kind"),
]


class Outcome(Section):
    """One outcome code with labels per locale, a yes/no group and its effects."""

    code: Code
    labels: Labels
    group: Literal["yes", "no"] | None = None
    effects: list[Effect] = Field(default_factory=list)

    @property
    def is_offer(self) -> bool:
        """An outcome that counts as an offer records one: the eligibility gates apply (L411-4)."""
        return any(e.kind == "counts_as" and e.counter == "offer" for e in self.effects)


class LoggedChannel(Section):
    """A channel an agent logs a contact on (the outcome form's Channel, the API's activity
    `channel`); without `labels`, the product's own words for the code."""

    code: ContactChannel
    labels: Labels | None = None


def _every_contact_channel() -> list[LoggedChannel]:
    return [LoggedChannel(code=code) for code in get_args(ContactChannel)]


class OutcomeSettings(Section):
    """The outcome catalogue; `exactly_one`: a callback ends with one outcome, and a second one
    on the same callback is refused (L411-5). Off unless the department asks for it: a lead
    worked over several contacts (a cadence's rounds) records an outcome at each."""

    exactly_one: bool = False
    codes: list[Outcome] = Field(default_factory=list)
    contact_channels: list[LoggedChannel] = Field(
        default_factory=_every_contact_channel,
        min_length=1,
        description="the channels agents log contacts on, in the order offered (an internal"
        " note is always possible)",
    )

    @model_validator(mode="after")
    def _unique_codes(self) -> "OutcomeSettings":
        codes = [o.code for o in self.codes]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate outcome code(s): {', '.join(dupes)}")
        channels = [c.code for c in self.contact_channels]
        if len(set(channels)) != len(channels):
            raise ValueError("a contact channel is listed twice")
        return self
