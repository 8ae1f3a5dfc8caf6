"""Allocating a lead to a partner organisation (CPB-2..4, CPB-10), by the strategy or by hand.

The organisation is what the lead belongs to; a partner user holds it too when the policy's
`assignment.strategy.allocate_to` says so (or when one is named). Allocating it to another
organisation withdraws it from the first one's portal: its clocks end, and the in-app messages
its partners were sent about the lead are taken back, so nothing of it is left for them; and
the next organisation sees none of the first one's work (its review, attempts, stage, deal).
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import select

from tenants.policy.assignment import AllocationRule, PartnerAllocation
from webapp.errors import UserError
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import Lead, Membership, Notification, PartnerOrganisation, User
from webapp.tenancy import owned_by

from . import assignment, audit, deal_registrations, opportunities, sharing
from .acknowledgements import WITHDRAWN
from .unit import operation

CHOSEN = "allocated_organisation"
BY_HAND = PartnerAllocation(rules=[AllocationRule(organisation_from_field=CHOSEN)])


@operation
def allocate(
    lead: Lead,
    organisation: PartnerOrganisation,
    *,
    partner_user: User | None = None,
    actor: User | None,
    reason: str = "allocated by hand",
) -> None:
    """Allocate `lead` to `organisation` (and `partner_user`, one of its partners)."""
    if organisation.workspace_id != lead.workspace_id:
        raise UserError("partner_organisation", _("No such partner organisation."))
    if partner_user is not None:
        membership = sharing.partner_membership(lead, partner_user)
        if membership is None or membership.partner_organisation_id != organisation.id:
            raise UserError("partner_user", _("This person is not a partner of the organisation."))
    previous = lead.partner_organisation_id
    if previous is not None and previous != organisation.id:
        withdraw(lead, previous, actor=actor)
    if partner_user is None and sharing.allocates_users(lead):
        # The strategy's own rule, reading the organisation chosen here instead of a field.
        facts = assignment.lead_facts(lead, lead.workspace)
        facts = replace(facts, fields={**facts.fields, CHOSEN: str(organisation.id)})
        decision = assignment.assign(lead, actor=actor, facts=facts, strategy=BY_HAND)
        if decision.agent_id is not None or decision.wait_until is not None:
            return
    if partner_user is not None:
        assignment.set_owner(lead, partner_user, actor=actor, reason=reason)
        return
    _to_organisation(lead, organisation, actor=actor, reason=reason)


def _to_organisation(
    lead: Lead, organisation: PartnerOrganisation, *, actor: User | None, reason: str
) -> None:
    """The organisation's partners share the lead: nobody holds it, its clocks run."""
    if lead.owner_id is not None:
        assignment.set_owner(lead, None, actor=actor, reason=reason)
    sharing.share(lead, organisation, actor=actor, reason=reason)


def withdraw(lead: Lead, organisation_id: int, *, actor: User | None) -> None:
    """Take the lead out of `organisation_id`'s portal: its in-app messages about the lead go."""
    its_partners = select(Membership.user_id).where(
        owned_by(Membership, lead.workspace_id),
        Membership.partner_organisation_id == organisation_id,
    )
    told = db.session.scalars(
        select(Notification).where(
            owned_by(Notification, lead.workspace_id),
            Notification.recipient_user_id.in_(its_partners),
        )
    ).all()
    for message in told:
        if (message.payload or {}).get("lead_id") == lead.id:
            db.session.delete(message)
    # Its stage in the first organisation's pipeline is theirs, not the next one's.
    if (opportunity := opportunities.stage_of(lead)) is not None:
        db.session.delete(opportunity)
    if (registration := deal_registrations.registration_of(lead)) is not None:
        db.session.delete(registration)
    lead.partner_organisation_id = None
    audit.record(
        lead.workspace_id,
        WITHDRAWN,
        lead,
        actor=actor,
        before={"partner_organisation_id": organisation_id},
    )
    QUEUES.bump_after_commit(lead.workspace_id, (lead.owner_id,))
