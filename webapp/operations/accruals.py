"""Accruals (TEL-10): a discount, compensation or fee credit on an interaction, only with the
customer's consent, with a category the policy lists, a short subject and a comment."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from tenants import Policy
from webapp.extensions import db
from webapp.models import Accrual, Campaign, Interaction, User, Workspace

from . import audit, policies
from .offer_errors import OfferInvalid
from .unit import operation

KINDS = ("discount", "compensation", "fee_credit")
MAX_AMOUNT = Decimal("1000000")
SUBJECT_MAX = 120
COMMENT_MAX = 4000


def categories(policy: Policy) -> list[str]:
    """The accrual categories of the policy (discount, technological, promotion)."""
    kind = policy.records.kinds.get("accrual")
    return list(kind.categories) if kind and kind.enabled else []


def _amount(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT:
        return None
    return value.quantize(Decimal("0.01"))


def _checked(policy: Policy, values: dict[str, Any]) -> dict[str, Any]:
    errors: list[tuple[str, Any]] = []
    if values.get("kind") not in KINDS:
        errors.append(("kind", _l("Choose a discount, a compensation or a fee credit.")))
    if values.get("category") not in categories(policy):
        errors.append(
            ("category", _l("Choose the category: discount, technological or promotion."))
        )
    amount = _amount(values.get("amount"))
    if amount is None:
        errors.append(("amount", _l("Enter an amount greater than 0 (at most 1,000,000).")))
    if values.get("consent") is not True:
        errors.append(("consent", _l("An accrual needs the customer's consent.")))
    subject = (values.get("subject") or "").strip()
    if not subject or len(subject) > SUBJECT_MAX:
        errors.append(
            ("subject", _l("Give a short subject (at most 120 characters), e.g. “FC for INBA”."))
        )
    comment = (values.get("comment") or "").strip()
    if len(comment) > COMMENT_MAX:
        errors.append(("comment", _l("The comment is at most 4,000 characters.")))
    if errors:
        raise OfferInvalid(errors)
    return {
        "kind": values["kind"],
        "category": values["category"],
        "amount": amount,
        "subject": subject,
        "comment": comment,
    }


@operation
def add_accrual(
    interaction: Interaction,
    values: dict[str, Any],
    *,
    campaign: Campaign | None,
    actor: User | None,
) -> Accrual:
    """Record an accrual on the interaction (audited); nothing is written if anything is bad."""
    workspace = db.session.get(Workspace, interaction.workspace_id)
    clean = _checked(policies.active_policy(workspace), values)
    accrual = Accrual(
        workspace_id=workspace.id,
        interaction_id=interaction.id,
        ctn=interaction.ctn,
        consent=True,
        campaign_id=campaign.id if campaign else None,
        agent_id=actor.id if actor else interaction.agent_id,
        **clean,
    )
    db.session.add(accrual)
    audit.record(
        workspace.id,
        "accrual.added",
        accrual,
        actor=actor,
        after={
            **clean,
            "amount": str(clean["amount"]),
            "campaign": campaign.code if campaign else None,
        },
    )
    return accrual
