"""Client accounts over the API: upsert with the facts the gates read, and deliveries (L411).

The facts are the policy's `account_facts`: each by name in `facts`, and today's four
(do_not_upsell, not_meeting_criteria, handled_by, pending_balance) also as named fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g
from sqlalchemy import select
from werkzeug.wrappers import Response

from tenants import Policy
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Account, Membership, User
from webapp.operations import accounts, api_calls, policies
from webapp.tenancy import get_or_404, owned_by, scoped

from .blueprint import ApiError, body, check_id, endpoint, respond
from .presenters import CANCELLED, account_out, lead_out
from .schemas import AccountIn, AccountOut, DeliveryIn, DeliveryOut

# Named facts of the body and the account flag each one sets (gates: flag_set).
FLAG_FIELDS = ("do_not_upsell", "not_meeting_criteria")
# What a declared fact's value must be, by its kind (tenants.policy.gates.AccountFact).
FACT_TYPES = {"flag": (bool,), "field": (str, type(None)), "amount": (int, float, type(None))}


def _toggle(items: set[str], item: str, on: bool | None) -> None:
    if on is True:
        items.add(item)
    elif on is False:
        items.discard(item)


def fact_errors(policy: Policy, data: AccountIn) -> list[tuple[str, str]]:
    """(field, message) for each entry of `facts` the policy does not declare so."""
    declared = {fact.name: fact for fact in policy.account_facts}
    errors = []
    for name, value in (data.facts or {}).items():
        fact = declared.get(name)
        if fact is None:
            errors.append((f"facts.{name}", "not an account fact of the policy"))
        elif isinstance(value, bool) != (fact.kind == "flag") or not isinstance(
            value, FACT_TYPES[fact.kind]
        ):
            errors.append((f"facts.{name}", f"a {fact.kind} fact takes {_takes[fact.kind]}"))
        elif (
            fact.kind == "field" and fact.values and value is not None and value not in fact.values
        ):
            errors.append((f"facts.{name}", f"one of {', '.join(fact.values)}"))
        elif fact.kind == "amount" and value is not None and not 0 <= value <= 1e12:
            errors.append((f"facts.{name}", "between 0 and 10^12"))
    return errors


_takes = {"flag": "true or false", "field": "a text or null", "amount": "a number or null"}


def _apply_declared(policy: Policy, data: AccountIn, flags: set, fields: dict, amounts: dict):
    """The body's `facts`, each where its kind keeps it (checked by fact_errors first)."""
    kinds = {fact.name: fact.kind for fact in policy.account_facts}
    for name, value in (data.facts or {}).items():
        if kinds[name] == "flag":
            _toggle(flags, name, value)
        elif kinds[name] == "field":
            _put(fields, name, value)
        else:
            _put(amounts, name, value)


def _put(values: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        values.pop(name, None)
    else:
        values[name] = value


def merged_facts(account: Account | None, data: AccountIn, policy: Policy) -> dict[str, Any]:
    """The account's gate facts with what the body says applied; what it omits stays."""
    facts = accounts.facts_of(account) if account else dict(accounts.EMPTY_FACTS)
    flags, fields = set(facts["set"]), dict(facts["fields"])
    amounts, cards = dict(facts["amounts"]), list(facts["open_cards"])
    given = data.model_fields_set
    for name in FLAG_FIELDS:
        _toggle(flags, name, getattr(data, name))
    if data.cancelled is not None:
        cancelled_now = fields.get("account_status") in CANCELLED
        if data.cancelled and not cancelled_now:
            fields["account_status"] = "canceled"
        elif not data.cancelled:
            fields.pop("account_status", None)
    if "handled_by" in given:
        if data.handled_by:
            fields["handled_by"] = data.handled_by
        else:
            fields.pop("handled_by", None)
    if data.pending_balance is not None:
        amounts["pending_balance"] = data.pending_balance
    if data.open_cards is not None:
        cards = sorted(set(data.open_cards))
    for card in data.cards or ():
        cards = sorted({*cards, card.kind} if card.state == "open" else set(cards) - {card.kind})
    _apply_declared(policy, data, flags, fields, amounts)
    return {"set": sorted(flags), "fields": fields, "amounts": amounts, "open_cards": cards}


def cards_closed_at(data: AccountIn) -> datetime | None:
    """When the cards this body closes were closed: the latest `closed_at` given, else now."""
    times = [c.closed_at for c in data.cards or () if c.state == "closed" and c.closed_at]
    return max(times, default=None)


def body_errors(policy: Policy, data: AccountIn) -> list[tuple[str, str]]:
    """What the schema cannot check: a card closing in the future (it would hold a cooldown
    off) and facts the policy does not declare; all of them, refused together."""
    late = [n for n, c in enumerate(data.cards or ()) if c.closed_at and c.closed_at > now()]
    return [(f"cards.{n}.closed_at", "lies in the future") for n in late] + fact_errors(
        policy, data
    )


@endpoint(
    "POST",
    "/accounts",
    summary="Create or update an account",
    body=AccountIn,
    responses={201: AccountOut, 200: AccountOut},
    errors=(400, 401, 409, 422, 429),
    role="agent",
    tags=("accounts",),
)
def upsert_account() -> Response:
    """Create the account with this `external_ref` (201) or update it (200). The named facts
    feed the eligibility gates (L411-4); a fact left out keeps its value. A card that closes
    (left out of `open_cards`, or `cards` with state `closed`) starts the cooldowns waiting
    for it (L411-9)."""
    data = body(AccountIn)
    policy = policies.active_policy(g.workspace)
    if errors := body_errors(policy, data):
        raise ApiError(422, "invalid input", errors)
    existing = db.session.scalar(scoped(Account).where(Account.external_ref == data.external_ref))
    account, created = api_calls.upsert_account(
        g.workspace,
        data.external_ref,
        via=api_calls.key_reason(g.api_key),
        name=data.name,
        signed_up_on=data.signed_up_on,
        facts=merged_facts(existing, data, policy),
        cards_closed_at=cards_closed_at(data),
    )
    return respond(account_out(account, policy), 201 if created else 200)


@endpoint(
    "GET",
    "/accounts/<int:account_id>",
    summary="Read an account",
    responses={200: AccountOut},
    errors=(401, 404, 429),
    role="agent",
    tags=("accounts",),
)
def account(account_id: int) -> Response:
    """One account of the key's workspace, with its flags."""
    row = get_or_404(Account, check_id(account_id))
    return respond(account_out(row, policies.active_policy(g.workspace)))


@endpoint(
    "POST",
    "/accounts/<int:account_id>/deliveries",
    summary="Record a lead sent to an account",
    body=DeliveryIn,
    responses={201: DeliveryOut, 200: DeliveryOut},
    errors=(400, 401, 404, 409, 422, 429),
    role="agent",
    tags=("accounts",),
)
def deliver(account_id: int) -> Response:
    """A lead sent to the account (L411-1): stored against it, its callback clock started
    (L411-3) and its counters checked; `flags` lists what this delivery raised, e.g. `hot`
    at the 4th delivery since sign-up (L411-2). A retry with the same `external_id` is a 200."""
    row = get_or_404(Account, check_id(account_id))
    data = body(DeliveryIn)
    sender = None
    if data.sent_by is not None:
        sender = db.session.scalar(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(User.id == data.sent_by, owned_by(Membership, g.workspace))
        )
        if sender is None:
            raise ApiError(422, "invalid input", [("sent_by", "not a member of this workspace")])
    result, flags = api_calls.deliver(
        row,
        via=api_calls.key_reason(g.api_key),
        sent_by=sender,
        **data.model_dump(exclude={"sent_by"}),
    )
    out = DeliveryOut(
        lead=lead_out(g.workspace, result.lead),
        flags=flags,
        account=account_out(row, policies.active_policy(g.workspace)),
    )
    return respond(out, 201 if result.created else 200)
