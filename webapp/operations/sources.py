"""What a lead's source does to it: registration with the team the policy names (CCIMA-10).

A source with a `team` in the policy ("referrals through this source belong to the contact
center") puts its leads in that team's books as they arrive: the lead is the team's, and the
registration is on the record (the lead page's timeline, the weekly report's count by source).
"""

from __future__ import annotations

from tenants import Policy
from tenants.policy.intake import Source
from webapp.audit_actions import LEAD_REGISTERED
from webapp.extensions import db
from webapp.models import Lead, Team, User
from webapp.tenancy import scoped

from . import audit

REGISTERED = LEAD_REGISTERED


def register(lead: Lead, policy: Policy, *, actor: User | None) -> Team | None:
    """Register a new lead with its source's team; None when the source names no team.

    A team the workspace does not have (yet) is not an intake error: the lead is kept, and
    the audit trail says which team the policy wanted.
    """
    source, team = team_of(lead, policy)
    if team is not None:
        lead.team_id = team.id
        lead.team = team  # held by the lead: whoever describes it next needs no query
    return registered(lead, source, team, actor=actor)


def team_of(lead: Lead, policy: Policy) -> tuple[Source | None, Team | None]:
    """The policy's source of `lead` when it names a team, and that team if the workspace
    has it; reads only (intake asks before the lead is stored, to store it in the team)."""
    source = next((s for s in policy.intake.sources if s.code == lead.source), None)
    if source is None or source.team is None:
        return None, None
    return source, db.session.scalar(
        scoped(Team, lead.workspace_id).where(Team.code == source.team)
    )


def registered(
    lead: Lead, source: Source | None, team: Team | None, *, actor: User | None
) -> Team | None:
    """Record the registration `team_of` found (the lead already in `team`, if found)."""
    if source is None:
        return None
    audit.record(
        lead.workspace_id,
        REGISTERED,
        lead,
        actor=actor,
        after={"team": source.team, "team_found": team is not None, "source": source.code},
        reason=f"source {source.code}",
    )
    return team
