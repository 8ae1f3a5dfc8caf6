"""`answers` section: answer sets with allowed transitions, offer display and offer-rate target."""

from pydantic import Field, field_validator, model_validator

from tenants.durations import Duration
from tenants.errors import Refusal
from tenants.policy.common import N_, Code, Labels, Percent, Recipient, Section


class AnswerValue(Section):
    """One allowed answer; a final answer never changes again (TEL-4: YES)."""

    code: Code = Field(title=N_("Code"), description=N_("The code that names this entry"))
    labels: Labels = Field(title=N_("Labels"), description=N_("The name shown, per language"))
    final: bool = Field(
        False, title=N_("Final"), description=N_("A final answer never changes again")
    )


class AnswerSet(Section):
    """Allowed answers to a question and which changes are allowed after saving (TEL-3, TEL-4)."""

    name: Code = Field(title=N_("Name"), description=N_("The code that names this entry"))
    values: list[AnswerValue] = Field(
        min_length=1, title=N_("Values"), description=N_("The allowed answers")
    )
    transitions: dict[Code, list[Code]] = Field(
        default_factory=dict,
        title=N_("Allowed changes"),
        description=N_("Answer and the answers it may change to"),
    )

    @model_validator(mode="after")
    def _transitions_use_known_values(self) -> "AnswerSet":
        known = {v.code for v in self.values}
        used = set(self.transitions) | {t for targets in self.transitions.values() for t in targets}
        unknown = sorted(used - known)
        if unknown:
            raise ValueError(
                Refusal(
                    N_("transitions use unknown value(s) %(unknown)s; allowed: %(allowed)s"),
                    unknown=unknown,
                    allowed=sorted(known),
                )
            )
        finals = sorted(v.code for v in self.values if v.final and self.transitions.get(v.code))
        if finals:
            raise ValueError(
                Refusal(N_("final value(s) %(finals)s cannot have transitions"), finals=finals)
            )
        return self


class OfferDisplay(Section):
    """How offers are shown during an interaction (TEL-1, TEL-2, TEL-5)."""

    order_by_priority: bool = Field(
        True, title=N_("By priority"), description=N_("Offers are shown by priority")
    )
    any_offer_may_be_voiced: bool = Field(
        True,
        title=N_("Any offer may be voiced"),
        description=N_("Off: the offers after the first are read-only"),
    )
    offer_before_transfer_to: list[Code] = Field(
        default_factory=list,
        title=N_("Offer before transfer to"),
        description=N_("Teams a call is transferred to only after an offer"),
    )
    archive_allows_late_answer: bool = Field(
        True,
        title=N_("Late answers in the archive"),
        description=N_("An answer may be given later from the archive"),
    )


class ExceptionRule(Section):
    """A tariff/service exception for an offer: hide it, do not count it, report it (TEL-9)."""

    hide_offer: bool = Field(
        True, title=N_("Hide the offer"), description=N_("The offer is not shown")
    )
    count_as_missed: bool = Field(
        False, title=N_("Count as missed"), description=N_("The offer counts as a missed one")
    )
    report_to: list[Recipient] = Field(
        default_factory=lambda: ["exceptions_contact"],
        title=N_("Report to"),
        description=N_("Who hears of an exception"),
    )
    contact_email: str | None = Field(
        None,
        title=N_("Exceptions contact"),
        description=N_("The e-mail address of the member who is the exceptions contact"),
    )


class OfferRate(Section):
    """Target share of interactions with an offer and what is outside the figures (TEL-6..8)."""

    target_percent: Percent = Field(
        85,
        title=N_("Target"),
        description=N_("The share of interactions that should carry an offer"),
        json_schema_extra={"unit": N_("percent")},
    )
    missing_offer_counts_as: Code = Field(
        "missed_sale",
        title=N_("Missing offer recorded as"),
        description=N_("The code a counted call closed without an offer is recorded as"),
    )
    excluded_transfer_splits: list[Code] = Field(
        default_factory=list,
        title=N_("Excluded transfer splits"),
        description=N_("Transfer splits left out of the figures"),
    )
    excluded_agent_lines: list[Code] = Field(
        default_factory=list,
        title=N_("Excluded agent lines"),
        description=N_("Agent lines left out of the figures"),
    )

    @field_validator("missing_offer_counts_as")
    @classmethod
    def _not_another_outcome(cls, value: str) -> str:
        # The report tells a missed sale from these by its code.
        taken = {"offered", "transferred", "second_line", "exception"}
        if value in taken:
            raise ValueError(
                Refusal(N_("%(value)r is another outcome; choose a code of its own"), value=value)
            )
        return value


class AnswersSettings(Section):
    """Answer sets plus offer rules."""

    sets: list[AnswerSet] = Field(
        default_factory=list,
        title=N_("Answer sets"),
        description=N_("Allowed answers to each question"),
    )
    offers: OfferDisplay | None = Field(
        None,
        title=N_("Offer display"),
        description=N_("How offers are shown during an interaction"),
    )
    offer_rate: OfferRate | None = Field(
        None,
        title=N_("Offer rate"),
        description=N_("The target share of interactions with an offer"),
    )
    exceptions: ExceptionRule | None = Field(
        None,
        title=N_("Exceptions"),
        description=N_("What a tariff or service exception does to an offer"),
    )
    # A callback task after an offer answer (THINK: call back in 2 days); an answer not
    # listed creates nothing.
    follow_ups: dict[Code, Duration] = Field(
        default_factory=dict,
        title=N_("Follow-ups"),
        description=N_("Answer code and how long until a callback task"),
    )
