"""A lead shared by a partner organisation's partners: allocated to the organisation, held by
nobody (`assignment.strategy.allocate_to: organisation`, CPB-2..4, CPB-10). Below both
assignment and allocation, which use it."""

from __future__ import annotations

from sqlalchemy import select

from webapp.clock import now
from webapp.extensions import db
from webapp.models import Lead, Membership, PartnerOrganisation, Role, User
from webapp.tenancy import owned_by

from . import audit, events, leads, policies


def partner_membership(lead: Lead, user: User) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            owned_by(Membership, lead.workspace_id),
            Membership.user_id == user.id,
            Membership.role == Role.PARTNER,
        )
    )


def allocates_users(lead: Lead) -> bool:
    """Whether the policy gives an allocated lead to one of the organisation's partners."""
    strategy = policies.active_policy(lead.workspace).assignment.strategy
    return getattr(strategy, "allocate_to", "partner_user") == "partner_user"


def organisation_of(lead: Lead, partner: User) -> PartnerOrganisation | None:
    membership = partner_membership(lead, partner)
    return membership.partner_organisation if membership else None


def share(
    lead: Lead, organisation: PartnerOrganisation, *, actor: User | None, reason: str
) -> None:
    """Allocate `lead`, which nobody holds, to `organisation`: its clocks start, its partners
    are told."""
    lead.partner_organisation_id = organisation.id
    leads.start_timers(lead.workspace, lead, "lead.allocated", now(), actor)
    audit.record(
        lead.workspace_id,
        "lead.allocated_to_organisation",
        lead,
        actor=actor,
        after={"partner_organisation_id": organisation.id},
        reason=reason,
    )
    events.publish(lead, "lead.allocated", actor=actor)
