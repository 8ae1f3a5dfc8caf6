"""`gates` section: eligibility gates checked before an offer (L411-4)."""

from typing import Annotated, Literal

from pydantic import Field

from tenants.policy.common import Code, Labels, Section


class AccountFact(Section):
    """A fact about a client account that the accounts API takes (`facts.<name>`) and the
    gates read: a `flag` (set or not: flag_set), a `field` (a text, one of `values` if given:
    status_in) or an `amount` (a number: amount_above)."""

    name: Code
    kind: Literal["flag", "field", "amount"]
    values: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, description="a field's allowed values; none given: any text"
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

    condition: Literal["flag_set"] = "flag_set"
    flag: Code


class StatusIn(Section):
    """Blocks when a field of the account has one of the values (e.g. handled_by in RET/ESC/HTS)."""

    condition: Literal["status_in"] = "status_in"
    field: Code = "account_status"
    values: list[str] = Field(min_length=1)


class OpenCard(Section):
    """Blocks while a card of this kind is open on the account (e.g. an upsell card)."""

    condition: Literal["open_card"] = "open_card"
    card: Code = "upsell"


class CooldownActive(Section):
    """Blocks while a named cooldown has not ended."""

    condition: Literal["cooldown_active"] = "cooldown_active"
    cooldown: Code = "offer"


class AmountAbove(Section):
    """Blocks when an amount (e.g. pending_balance) is above a threshold."""

    condition: Literal["amount_above"] = "amount_above"
    amount: Code = "pending_balance"
    threshold: float = 0


GateCondition = Annotated[
    FlagSet | StatusIn | OpenCard | CooldownActive | AmountAbove,
    Field(discriminator="condition"),
]


class Gate(Section):
    """A named gate: its condition, the reason shown to the agent, and the matching outcome code.

    `reason` names the condition that blocks ("Cancelled (CDTNP)"), `passes` the condition
    that lets the offer through ("Not cancelled"); both are shown on the eligibility list.
    """

    name: Code
    when: GateCondition
    reason: Labels
    passes: Labels | None = Field(
        None, description="what the eligibility list says when the gate does not block"
    )
    outcome: Code | None = Field(
        None, description="the outcome that records why no offer was made when it blocks"
    )
