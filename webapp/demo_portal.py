"""The CPB demo's partner portal: allocated leads with their clocks running, an attempt, a
stage and a registered deal, so the portal's pages have something to show (issue 13)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from webapp.clock import now
from webapp.extensions import db
from webapp.models import Membership, PartnerOrganisation, Role, User, Workspace
from webapp.operations import (
    acknowledgements,
    allocation,
    contact_attempts,
    deal_registrations,
    leads,
    opportunities,
    policies,
)
from webapp.tenancy import scoped


def _bant_a(need: str, meeting_in_days: int | None, zone: str) -> dict[str, str]:
    answers = {
        "budget": "£25k to £40k",
        "authority": "IT Director (signs off)",
        "need": need,
        "timescale": "This quarter",
        "action": "Demo with the IT team" if meeting_in_days else "Call to book a demo",
    }
    if meeting_in_days is not None:
        local = now().astimezone(ZoneInfo(zone)) + timedelta(days=meeting_in_days)
        answers["meeting_at"] = local.replace(hour=14, minute=0).strftime("%Y-%m-%dT%H:%M")
        answers["meeting_time_zone"] = zone
        answers["invite_accepted"] = "yes"
    return answers


def seed(workspace: Workspace, admin: User) -> None:
    """Allocate three qualified leads to the demo's partner organisations and work one."""
    policy = policies.active_policy(workspace)
    if policy.assignment.strategy.strategy != "partner_allocation":
        return
    organisations = {o.name: o for o in db.session.scalars(scoped(PartnerOrganisation, workspace))}
    partner = {
        m.user.name: m.user
        for m in db.session.scalars(
            scoped(Membership, workspace).where(Membership.role == Role.PARTNER)
        )
    }
    zone = policy.calendar.time_zone
    plan = (
        ("Oliver Grant", "Northwind Resellers", "Daniel Brooks", "AQL", "fleet telematics", 3),
        ("Emma Clarke", "Northwind Resellers", "Daniel Brooks", "OQL", "a new service desk", None),
        ("Noah Patel", "Harbour IT Partners", "Aisha Khan", "AQL", "backup and recovery", 5),
    )
    made = {}
    for name, organisation, holder, lead_type, need, meeting_in in plan:
        if organisation not in organisations or holder not in partner:
            continue
        lead = leads.create_lead(
            workspace,
            contact_name=name,
            email=f"{name.split()[0].lower()}@{need.split()[-1]}-demo.test",
            company=f"{name.split()[1]} & Co",
            source=policy.intake.sources[0].code if policy.intake.sources else None,
            lead_type=lead_type,
            attributes=_bant_a(need, meeting_in, zone),
            actor=admin,
        )
        allocation.allocate(
            lead, organisations[organisation], partner_user=partner[holder], actor=admin
        )
        made[name] = lead
    worked = made.get("Emma Clarke")
    if worked is None:
        return
    daniel = partner["Daniel Brooks"]
    acknowledgements.acknowledge(worked, actor=daniel)
    contact_attempts.log_attempt(
        worked, "call", actor=daniel, number="+44 20 7946 0777", note="Introductory call"
    )
    opportunities.move(worked, "discovery", actor=daniel)
    deal_registrations.register(
        worked,
        {
            "vendor": "Freshservice",
            "deal_value": "32000",
            "currency": "GBP",
            "expected_close": (now() + timedelta(days=60)).date().isoformat(),
            "crm_reference": "NW-2031",
        },
        actor=daniel,
    )
