"""`gates` section: eligibility gates checked before an offer (L411-4)."""

from typing import Annotated, Literal

from pydantic import Field

from tenants.policy.common import N_, Code, Labels, Section


class AccountFact(Section):
    """A fact about a client account that the accounts API takes (`facts.<name>`) and the
    gates read: a `flag` (set or not: flag_set), a `field` (a text, one of `values` if given:
    status_in) or an `amount` (a number: amount_above)."""

    name: Code = Field(title=N_("Name"), description=N_("The code that names this entry"))
    kind: Literal["flag", "field", "amount"] = Field(
        title=N_("Kind"), description=N_("A flag, a text field or an amount")
    )
    values: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, title=N_("Allowed values"), description=N_("A field's allowed values; none: any text")
    )


def todays_account_facts() -> list[AccountFact]:
    """The facts the accounts API has always taken by name (L411-4)."""
    return [
        AccountFact(name="do_not_upsell", kind="flag"),
        AccountFact(name="not_meeting_criteria", kind="flag"),
        AccountFact(name="handled_by", kind="field", values=["RET", "ESC", "HTS"]),
        AccountFact(name="pending_balance", kind="amount"),
    ]


class FlagSet(Section):
    """Blocks when the account carries a flag (e.g. do_not_upsell)."""

    condition: Literal["flag_set"] = Field(
        "flag_set", title=N_("Condition"), description=N_("Which condition this is")
    )
    flag: Code = Field(title=N_("Flag"), description=N_("The account flag that blocks"))


class StatusIn(Section):
    """Blocks when a field of the account has one of the values (e.g. handled_by in RET/ESC/HTS)."""

    condition: Literal["status_in"] = Field(
        "status_in", title=N_("Condition"), description=N_("Which condition this is")
    )
    field: Code = Field(
        "account_status", title=N_("Field"), description=N_("The account field read")
    )
    values: list[str] = Field(
        min_length=1, title=N_("Values"), description=N_("The values that block")
    )


class OpenCard(Section):
    """Blocks while a card of this kind is open on the account (e.g. an upsell card)."""

    condition: Literal["open_card"] = Field(
        "open_card", title=N_("Condition"), description=N_("Which condition this is")
    )
    card: Code = Field(
        "upsell", title=N_("Card"), description=N_("The kind of card that blocks while open")
    )


class CooldownActive(Section):
    """Blocks while a named cooldown has not ended."""

    condition: Literal["cooldown_active"] = Field(
        "cooldown_active", title=N_("Condition"), description=N_("Which condition this is")
    )
    cooldown: Code = Field(
        "offer", title=N_("Cooldown"), description=N_("The cooldown that blocks until it ends")
    )


class AmountAbove(Section):
    """Blocks when an amount (e.g. pending_balance) is above a threshold."""

    condition: Literal["amount_above"] = Field(
        "amount_above", title=N_("Condition"), description=N_("Which condition this is")
    )
    amount: Code = Field(
        "pending_balance", title=N_("Amount"), description=N_("The account amount read")
    )
    threshold: float = Field(
        0, title=N_("Threshold"), description=N_("Above this amount the gate blocks")
    )


GateCondition = Annotated[
    FlagSet | StatusIn | OpenCard | CooldownActive | AmountAbove,
    Field(discriminator="condition"),
]


class Gate(Section):
    """A named gate: its condition, the reason shown to the agent, and the matching outcome code.

    `reason` names the condition that blocks ("Cancelled (CDTNP)"), `passes` the condition
    that lets the offer through ("Not cancelled"); both are shown on the eligibility list.
    """

    name: Code = Field(title=N_("Name"), description=N_("The code that names this entry"))
    when: GateCondition = Field(
        title=N_("Blocks when"), description=N_("The condition that blocks an offer")
    )
    reason: Labels = Field(
        title=N_("Reason"),
        description=N_("What the agent is told when the gate blocks, per language"),
    )
    passes: Labels | None = Field(
        None,
        title=N_("When it passes"),
        description=N_("What the eligibility list says when the gate does not block"),
    )
    outcome: Code | None = Field(
        None, title=N_("Outcome"), description=N_("The outcome that records why no offer was made")
    )
