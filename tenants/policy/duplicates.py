"""`duplicates` section: match keys and the precedence rules that pick a winner."""

from typing import Annotated, Literal

from pydantic import Field

from tenants.policy.common import N_, Code, Labels, Section

MatchKey = Literal["phone", "email", "external_id", "account"]
LoserFate = Literal["merged", "linked", "invalid"]


class FirstContactKeeps(Section):
    """The lead whose owner made the first contact keeps the person (CCIMA-11)."""

    rule: Literal["first_contact_keeps"] = Field(
        "first_contact_keeps", title=N_("Rule"), description=N_("Which rule this is")
    )
    loser: LoserFate = Field(
        "merged", title=N_("The other lead"), description=N_("What becomes of the lead that loses")
    )


class PhoneUpWins(Section):
    """A phone-up beats an e-mail lead held by another agent, which becomes invalid (BDC-1..3)."""

    rule: Literal["phone_up_wins"] = Field(
        "phone_up_wins", title=N_("Rule"), description=N_("Which rule this is")
    )
    loser: LoserFate = Field(
        "invalid", title=N_("The other lead"), description=N_("What becomes of the lead that loses")
    )
    phone_channels: list[Code] = Field(
        default_factory=lambda: ["phone"],
        title=N_("Phone channels"),
        description=N_("Intake channels that count as a phone-up"),
    )
    email_channels: list[Code] = Field(
        default_factory=lambda: ["email"],
        title=N_("E-mail channels"),
        description=N_("Intake channels that count as an e-mail lead"),
    )
    note: Labels = Field(
        default_factory=lambda: {"en": "OPP lead courriel invalide"},
        title=N_("Note"),
        description=N_("The note left on the invalid lead, per language"),
    )


class ExistingOwnerKeeps(Section):
    """The oldest matching lead keeps its owner; the newcomer is linked to it."""

    rule: Literal["existing_owner_keeps"] = Field(
        "existing_owner_keeps", title=N_("Rule"), description=N_("Which rule this is")
    )
    loser: LoserFate = Field(
        "linked", title=N_("The other lead"), description=N_("What becomes of the lead that loses")
    )


class NewestWins(Section):
    """The incoming lead wins and absorbs the older ones."""

    rule: Literal["newest_wins"] = Field(
        "newest_wins", title=N_("Rule"), description=N_("Which rule this is")
    )
    loser: LoserFate = Field(
        "merged", title=N_("The other lead"), description=N_("What becomes of the lead that loses")
    )


class JoinExisting(Section):
    """A new request joins the existing file instead of creating a duplicate (BDC-7)."""

    rule: Literal["join_existing"] = Field(
        "join_existing", title=N_("Rule"), description=N_("Which rule this is")
    )
    loser: LoserFate = Field(
        "merged", title=N_("The other lead"), description=N_("What becomes of the lead that loses")
    )


PrecedenceRule = Annotated[
    FirstContactKeeps | PhoneUpWins | ExistingOwnerKeeps | NewestWins | JoinExisting,
    Field(discriminator="rule"),
]


class DuplicateSettings(Section):
    """How duplicates are found and settled: the first precedence rule that applies decides."""

    match_keys: list[MatchKey] = Field(
        default_factory=lambda: ["phone", "email"],
        min_length=1,
        title=N_("Match on"),
        description=N_("What makes two leads the same person"),
    )
    default_region: str = Field(
        "US",
        pattern=r"^[A-Z]{2}$",
        title=N_("Default country of phones"),
        description=N_("Two-letter country for phone numbers without +"),
    )
    precedence: list[PrecedenceRule] = Field(
        default_factory=lambda: [ExistingOwnerKeeps()],
        min_length=1,
        title=N_("Precedence rules"),
        description=N_("The first rule that applies decides which lead wins"),
    )
    invalid_status: Code = Field(
        "invalid",
        title=N_("Status of an invalid duplicate"),
        description=N_("The status a losing duplicate is given when it becomes invalid"),
    )
