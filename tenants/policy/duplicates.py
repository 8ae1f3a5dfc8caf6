"""`duplicates` section: match keys and the precedence rules that pick a winner."""

from typing import Annotated, Literal

from pydantic import Field

from tenants.policy.common import Code, Labels, Section

MatchKey = Literal["phone", "email", "external_id", "account"]
LoserFate = Literal["merged", "linked", "invalid"]


class FirstContactKeeps(Section):
    """The lead whose owner made the first contact keeps the person (CCIMA-11)."""

    rule: Literal["first_contact_keeps"] = "first_contact_keeps"
    loser: LoserFate = "merged"


class PhoneUpWins(Section):
    """A phone-up beats an e-mail lead held by another agent, which becomes invalid (BDC-1..3)."""

    rule: Literal["phone_up_wins"] = "phone_up_wins"
    loser: LoserFate = "invalid"
    phone_channels: list[Code] = Field(default_factory=lambda: ["phone"])
    email_channels: list[Code] = Field(default_factory=lambda: ["email"])
    note: Labels = Field(default_factory=lambda: {"en": "OPP lead courriel invalide"})


class ExistingOwnerKeeps(Section):
    """The oldest matching lead keeps its owner; the newcomer is linked to it."""

    rule: Literal["existing_owner_keeps"] = "existing_owner_keeps"
    loser: LoserFate = "linked"


class NewestWins(Section):
    """The incoming lead wins and absorbs the older ones."""

    rule: Literal["newest_wins"] = "newest_wins"
    loser: LoserFate = "merged"


class JoinExisting(Section):
    """A new request joins the existing file instead of creating a duplicate (BDC-7)."""

    rule: Literal["join_existing"] = "join_existing"
    loser: LoserFate = "merged"


PrecedenceRule = Annotated[
    FirstContactKeeps | PhoneUpWins | ExistingOwnerKeeps | NewestWins | JoinExisting,
    Field(discriminator="rule"),
]


class DuplicateSettings(Section):
    """How duplicates are found and settled: the first precedence rule that applies decides."""

    match_keys: list[MatchKey] = Field(default_factory=lambda: ["phone", "email"], min_length=1)
    default_region: str = Field("US", pattern=r"^[A-Z]{2}$", description="for phones without +")
    precedence: list[PrecedenceRule] = Field(
        default_factory=lambda: [ExistingOwnerKeeps()], min_length=1
    )
    invalid_status: Code = "invalid"
