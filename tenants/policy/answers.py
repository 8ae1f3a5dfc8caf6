"""`answers` section: answer sets with allowed transitions, offer display and offer-rate target."""

from pydantic import Field, field_validator, model_validator

from tenants.durations import Duration
from tenants.policy.common import Code, Labels, Percent, Recipient, Section


class AnswerValue(Section):
    """One allowed answer; a final answer never changes again (TEL-4: YES)."""

    code: Code
    labels: Labels
    final: bool = False


class AnswerSet(Section):
    """Allowed answers to a question and which changes are allowed after saving (TEL-3, TEL-4)."""

    name: Code
    values: list[AnswerValue] = Field(min_length=1)
    transitions: dict[Code, list[Code]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _transitions_use_known_values(self) -> "AnswerSet":
        known = {v.code for v in self.values}
        used = set(self.transitions) | {t for targets in self.transitions.values() for t in targets}
        unknown = sorted(used - known)
        if unknown:
            raise ValueError(
                f"transitions use unknown value(s) {unknown}; allowed: {sorted(known)}"
            )
        finals = sorted(v.code for v in self.values if v.final and self.transitions.get(v.code))
        if finals:
            raise ValueError(f"final value(s) {finals} cannot have transitions")
        return self


class OfferDisplay(Section):
    """How offers are shown during an interaction (TEL-1, TEL-2, TEL-5)."""

    order_by_priority: bool = True
    any_offer_may_be_voiced: bool = True
    offer_before_transfer_to: list[Code] = Field(default_factory=list)
    archive_allows_late_answer: bool = True


class ExceptionRule(Section):
    """A tariff/service exception for an offer: hide it, do not count it, report it (TEL-9)."""

    hide_offer: bool = True
    count_as_missed: bool = False
    report_to: list[Recipient] = Field(
        default_factory=lambda: ["exceptions_contact"],
        description="who hears of an exception: the exceptions contact and/or workspace roles "
        "(manager, director, administrator); the offer.exception_found rule gives the channels",
    )
    contact_email: str | None = Field(
        None, description="the member who is the exceptions contact (e-mail address)"
    )


class OfferRate(Section):
    """Target share of interactions with an offer and what is outside the figures (TEL-6..8)."""

    target_percent: Percent = 85
    missing_offer_counts_as: Code = Field(
        "missed_sale",
        description="the code a counted call closed without an offer is recorded as (TEL-6)",
    )
    excluded_transfer_splits: list[Code] = Field(default_factory=list)
    excluded_agent_lines: list[Code] = Field(default_factory=list)

    @field_validator("missing_offer_counts_as")
    @classmethod
    def _not_another_outcome(cls, value: str) -> str:
        # The report tells a missed sale from these by its code.
        taken = {"offered", "transferred", "second_line", "exception"}
        if value in taken:
            raise ValueError(f"{value!r} is another outcome; choose a code of its own")
        return value


class AnswersSettings(Section):
    """Answer sets plus offer rules."""

    sets: list[AnswerSet] = Field(default_factory=list)
    offers: OfferDisplay | None = None
    offer_rate: OfferRate | None = None
    exceptions: ExceptionRule | None = None
    # A callback task after an offer answer (THINK: call back in 2 days); an answer not
    # listed creates nothing.
    follow_ups: dict[Code, Duration] = Field(default_factory=dict)
