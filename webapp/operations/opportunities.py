"""The opportunity stage a partner moves a lead through until it is won or lost (CPB-7)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from tenants import Policy
from webapp.extensions import db
from webapp.models import DealRegistration, Lead, Opportunity, User

from . import audit, policies
from .unit import operation

KIND = "opportunity"
REGISTRATION = "deal_registration"


class StageRefused(ValueError):
    """The move is refused; `fields` maps each bad field to its message (all at once)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def stages(policy: Policy) -> list[str]:
    kind = policy.records.kinds.get(KIND)
    return list(kind.statuses) if kind and kind.enabled else []


def stage_of(lead: Lead) -> Opportunity | None:
    return db.session.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))


def _needs_registration(policy: Policy, stage: str) -> bool:
    kind = policy.records.kinds.get(REGISTRATION)
    return bool(kind and kind.enabled and stage in kind.required_before)


def _registered(lead: Lead) -> bool:
    status = db.session.scalar(
        select(DealRegistration.status).where(DealRegistration.lead_id == lead.id)
    )
    return status is not None and status != "rejected"


def refusals(policy: Policy, lead: Lead, stage: str, details: dict[str, Any]) -> dict[str, str]:
    """Every reason the move of `lead` to `stage` is refused, by field."""
    allowed = stages(policy)
    if stage not in allowed:
        return {"stage": _("Choose one of: %(allowed)s.", allowed=", ".join(allowed))}
    bad: dict[str, str] = {}
    for field in policy.records.kinds[KIND].required_on.get(stage, []):
        if not str(details.get(field) or "").strip():
            bad[field] = _("Required for this stage.")
    if _needs_registration(policy, stage) and not _registered(lead):
        bad["deal_registration"] = _("Register the deal first: it must be registered to be won.")
    return bad


@operation
def move(lead: Lead, stage: str, *, actor: User | None, **details: Any) -> Opportunity:
    """Move `lead`'s opportunity to `stage`, audited; refused naming every missing field."""
    policy = policies.active_policy(lead.workspace)
    if bad := refusals(policy, lead, stage, details):
        raise StageRefused(bad)
    needed = policy.records.kinds[KIND].required_on.get(stage, [])
    kept = {k: str(details[k]).strip()[:500] for k in needed}
    opportunity = stage_of(lead)
    before = opportunity.stage if opportunity else None
    if opportunity is None:
        opportunity = Opportunity(workspace_id=lead.workspace_id, lead_id=lead.id, stage=stage)
        db.session.add(opportunity)
    opportunity.stage, opportunity.details = stage, kept
    opportunity.moved_by_id = actor.id if actor else None
    audit.record(
        lead.workspace_id,
        "opportunity.moved",
        lead,
        actor=actor,
        before={"stage": before},
        after={"stage": stage, **kept},
    )
    return opportunity
