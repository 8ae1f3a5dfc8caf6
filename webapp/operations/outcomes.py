"""Recording a call's outcome and doing what the policy says it does (L411-5..11)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from tenants import UnknownCode
from tenants.decisions import OutcomeDecision, OutcomeFacts, outcome_effects
from tenants.errors import Refusal
from tenants.markers import N_
from webapp.audit_actions import LEAD_REFERRED, LEAD_TRANSFERRED
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import Lead, Team, User
from webapp.tenancy import scoped

from . import activities, assignment, audit, events, leads, outcome_checks, policies, tasks
from .accounts import facts_of
from .unit import operation


@operation
def record_outcome(
    lead: Lead,
    code: str,
    *,
    actor: User | None,
    note: str = "",
    channel: str = "call",
    true_facts: Iterable[str] = (),
) -> OutcomeDecision:
    """Log the outcome as an activity and apply its effects, all in one transaction."""
    policy = policies.active_policy(lead.workspace)
    try:
        decision = outcome_effects(policy, code, now(), OutcomeFacts(frozenset(true_facts)))
    except UnknownCode as error:
        raise UserError("outcome", error.refusal) from None
    outcome_checks.check(lead, policy, code)  # L411-4, L411-5: refused before anything is written
    activity = activities.log_activity(lead, channel, actor=actor, outcome_code=code, note=note)
    QUEUES.bump_after_commit(lead.workspace_id, (lead.owner_id, actor.id if actor else None))
    if decision.status:
        change_status(lead, decision.status, actor=actor, reason=f"outcome {code}")
    _cooldowns(lead, decision)
    # The policy's "outcome.<code>" rules speak of the referral when there is one.
    subject, context = lead, {"outcome": code}
    for effect in decision.effects:
        if effect.kind == "transfer":
            referral = _transfer(lead, effect, actor, activity.id, decision)
            subject = referral or lead
    for team_code in decision.tickets_for:
        tasks.new_task(
            lead, "ticket", team=_team(lead, team_code), details={"outcome": code}, actor=actor
        )
    if decision.callback_due_at is not None:
        tasks.new_task(
            lead,
            "callback",
            assignee_id=actor.id if actor else None,
            actor=actor,
            due_at=decision.callback_due_at,
            details={"outcome": code, "closed_by": [tasks.OUTCOME_RECORDED]},  # the next outcome
        )
    events.publish(subject, f"outcome.{code}", actor=actor, context=context)
    return decision


def _team(lead: Lead, code: str) -> Team:
    team = db.session.scalar(scoped(Team, lead.workspace_id).where(Team.code == code))
    if team is None:
        raise UserError(
            "outcome",
            Refusal(N_("the policy names team %(team)r, which this workspace lacks"), team=code),
        )
    return team


def _cooldowns(lead: Lead, decision: OutcomeDecision) -> None:
    """No re-offer to the account until the cooldown ends (L411-7, L411-9)."""
    account = lead.account
    if account is None or not (decision.cooldowns_until or decision.pending_cooldowns):
        return
    facts = facts_of(account)
    cooldowns = {
        **facts["cooldowns"],
        **{k: v.isoformat() for k, v in decision.cooldowns_until.items()},
    }
    pending = [
        *facts.get("pending_cooldowns", []),
        *(
            {"name": p.name, "starts_on": p.starts_on, "duration": str(p.duration)}
            for p in decision.pending_cooldowns
        ),
    ]
    account.flags = {**facts, "cooldowns": cooldowns, "pending_cooldowns": pending}


def _transfer(
    lead: Lead, effect, actor: User | None, activity_id: int, decision: OutcomeDecision
) -> Lead | None:
    """Hand the customer to a team: a referral lead in its queue (L411-6), or the lead itself
    (L411-8: the business owner goes to retention)."""
    team = _team(lead, effect.team)
    if not effect.as_referral:
        before = lead.team.name if lead.team else None
        lead.team_id = team.id
        audit.record(
            lead.workspace_id,
            LEAD_TRANSFERRED,
            lead,
            actor=actor,
            before={"team": before},
            after={"team": team.name, "team_code": team.code},
            reason=f"outcome {decision.code}",
        )
        return None
    if existing := outcome_checks.existing_referral(lead, team.code):
        return existing  # L411-6: one referral per lead and team, whatever is recorded again
    referral = leads.create_lead(
        lead.workspace,
        contact_name=lead.contact_name,
        actor=actor,
        phone=lead.phone_raw,
        email=lead.email_raw,
        company=lead.company,
        source=lead.source,
        lead_type=effect.lead_type,
        account_id=lead.account_id,
        team_id=team.id,
        attributes={
            "referred_from": lead.id,
            "account": lead.account.external_ref if lead.account else None,
            "cpt_agent": actor.id if actor else None,
            "call_reference": activity_id,
        },
    )
    audit.record(
        lead.workspace_id,
        LEAD_REFERRED,
        lead,
        actor=actor,
        after={"referral_id": referral.id, "team": team.code},
    )
    assignment.assign(referral, actor=actor, team_id=team.id)
    return referral


@operation
def change_status(
    lead: Lead,
    status: str,
    *,
    actor: User | None,
    reason: str = "",
    revenue: Decimal | str | None = None,
    commissions: dict[str, Decimal | str | None] | None = None,
) -> None:
    """Move a lead to a status of the policy; a won deal carries its revenue in the
    workspace's currency, which the policy may require (L411-12), and the advisor's and the
    manager's commissions (CCIMA-13: the support team's pool is paid from them)."""
    policy = policies.active_policy(lead.workspace)
    if status not in policy.intake.status_codes:
        allowed = ", ".join(sorted(policy.intake.status_codes))
        raise UserError(
            "status", _("“%(value)s” is not one of: %(allowed)s.", value=status, allowed=allowed)
        )
    details: dict = {}
    amount = _amount(revenue)
    if amount is None and status in policy.intake.revenue_codes:
        raise UserError("revenue", _("Enter the deal's revenue: the policy asks for it."))
    if amount is not None:
        currency = lead.workspace.currency
        lead.attributes = {**lead.attributes, "revenue": str(amount), "currency": currency}
        details.update(revenue=str(amount), currency=currency)
    details.update(_commissions(lead, status, policy, commissions or {}))
    leads.set_status(lead, status, actor=actor, reason=reason, details=details)


COMMISSIONS = ("advisor_commission", "manager_commission")


def _commissions(lead: Lead, status: str, policy, given: dict) -> dict[str, str]:
    """The won deal's commissions in the workspace's currency (CCIMA-13), kept on the lead
    and in the audit row the commission pool is computed from."""
    amounts = {}
    for name in COMMISSIONS:
        try:
            amount = _amount(given.get(name))
        except UserError as error:
            raise UserError(name, error.message) from None
        if amount is not None:
            amounts[name] = str(amount)
    if not amounts:
        return {}
    if status not in policy.intake.won_codes:
        raise UserError("status", _("Commissions are recorded on a won deal only."))
    amounts["commission_currency"] = lead.workspace.currency
    lead.attributes = {**lead.attributes, **amounts}
    return amounts


def _amount(revenue: Decimal | str | None) -> Decimal | None:
    """A machine-written amount ("1250.50"); a person's is read in their locale by the form."""
    if revenue is None or revenue == "":
        return None
    try:
        amount = Decimal(str(revenue).strip())
    except InvalidOperation:
        raise UserError("revenue", _("Not an amount: %(value)s.", value=revenue)) from None
    if not amount.is_finite():
        raise UserError("revenue", _("Not an amount: %(value)s.", value=revenue))
    if amount < 0:
        raise UserError("revenue", _("An amount cannot be negative."))
    return amount
