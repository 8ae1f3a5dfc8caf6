"""The five demo workspaces: one per department in docs/rules.md, with people and leads.

Their data is YAML beside the profiles (tenants/profiles/demo/<slug>.yaml); this module
writes nothing itself: every workspace, member, lead and assignment goes through operations.
Names of participants come from the departments' own documents where they list them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml
from flask_babel import force_locale
from flask_babel import gettext as _

from tenants.decisions.roster import upcoming_roster_months
from tenants.profiles import load_profile
from webapp import demo_portal, demo_reports, demo_telecom
from webapp.clock import now
from webapp.models import Role, User, Workspace
from webapp.operations import (
    activities,
    assignment,
    leads,
    policies,
    roster,
    users,
    workspaces,
)
from webapp.operations.unit import operation

if TYPE_CHECKING:  # annotations only: the seed constructs no model itself
    from webapp.models import Lead

ADMIN_EMAIL = "admin@leadline.test"
DEMO_PACKAGE = "tenants.profiles.demo"


@dataclass(frozen=True)
class Person:
    name: str
    role: Role
    team: str | None = None
    partner: str | None = None
    locale: str | None = None
    login: str | None = None  # the e-mail's local part, for names not written in Latin script


@dataclass(frozen=True)
class DemoLead:
    contact_name: str
    phone: str | None = None
    email: str | None = None
    company: str | None = None
    source: str = "campaign"
    owner: str | None = None  # a Person's name
    rating: str | None = None
    lead_type: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)  # e.g. BANT+A answers (CPB-1)


@dataclass(frozen=True)
class DemoWorkspace:
    slug: str
    name: str
    profile: str
    locale: str
    time_zone: str
    country: str
    people: tuple[Person, ...]
    leads: tuple[DemoLead, ...] = field(default_factory=tuple)
    # A past week of leads, one per entry, first called back after that many minutes: so
    # the policy replay has history to re-run (a 10 vs 15 minute SLA shows a difference).
    first_contact_minutes: tuple[int, ...] = ()
    # The codes the policy names teams by, and teams that have no demo members.
    team_codes: dict[str, str] = field(default_factory=dict)


DEMO_ORDER = ("locals411", "cpb", "ccima", "telecom", "bdc")


def _person(data: dict[str, Any]) -> Person:
    return Person(**{**data, "role": Role(data["role"])})


def load_demo(slug: str) -> DemoWorkspace:
    """A demo workspace as its YAML file beside the profiles describes it."""
    text = resources.files(DEMO_PACKAGE).joinpath(f"{slug}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return DemoWorkspace(
        **{
            **data,
            "people": tuple(_person(p) for p in data["people"]),
            "leads": tuple(DemoLead(**lead) for lead in data.get("leads", [])),
            "first_contact_minutes": tuple(data.get("first_contact_minutes", ())),
        }
    )


WORKSPACES = tuple(load_demo(slug) for slug in DEMO_ORDER)


def _email_for(name: str, slug: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join(ascii_name.lower().split()) or "user"
    return f"{local}@{slug}.leadline.test"


def _login_for(person: Person, slug: str) -> str:
    return _email_for(person.login or person.name, slug)


@operation
def seed_demo(password: str) -> list[tuple[str, str]]:
    """Create the demo; returns (login e-mail, description) pairs to print."""
    admin = users.create_user(ADMIN_EMAIL, "Leadline Admin", password)
    logins = [(ADMIN_EMAIL, "administrator of all five workspaces")]
    for spec in WORKSPACES:
        logins += _seed_workspace(spec, admin, password)
    return logins


HISTORY_NAMES = [
    "Alex",
    "Blanca",
    "Carlos",
    "Dora",
    "Elena",
    "Fausto",
    "Gloria",
    "Hugo",
    "Inés",
    "Javier",
    "Karla",
    "Lucía",
]


def _seed_history(
    workspace: Workspace, spec: DemoWorkspace, agents: list[User], admin: User
) -> list[Lead]:
    """Leads of the past week, two a day in business hours, each called after a delay."""
    if not spec.first_contact_minutes or not agents:
        return []
    history = []
    zone = ZoneInfo(spec.time_zone)
    with force_locale(workspace.locale):  # what its agents wrote, in their language
        note = _("First call: demo data")
    today = now().astimezone(zone).date()
    for n, minutes in enumerate(spec.first_contact_minutes):
        day = today - timedelta(days=7 - n // 2)
        received = datetime.combine(day, time(10 + 4 * (n % 2), 5 * n % 60), zone)
        agent = agents[n % len(agents)]
        lead = leads.create_lead(
            workspace,
            contact_name=f"{HISTORY_NAMES[n % len(HISTORY_NAMES)]} Demo {n + 1}",
            phone=f"+52 55 5{n:03d} {1000 + n:04d}",
            source="digital_marketing",
            owner=agent,
            actor=admin,
            received_at=received.astimezone(UTC),
        )
        history.append(lead)
        activities.log_activity(
            lead,
            "call",
            actor=agent,
            note=note,
            occurred_at=(received + timedelta(minutes=minutes)).astimezone(UTC),
        )
    return history


def _seed_workspace(spec: DemoWorkspace, admin: User, password: str) -> list[tuple[str, str]]:
    workspace = workspaces.create_workspace(
        spec.slug,
        spec.name,
        locale=spec.locale,
        time_zone=spec.time_zone,
        country=spec.country,
        policy_document=load_profile(spec.profile),
        actor=admin,
    )
    users.add_member(workspace, admin, Role.ADMIN, actor=admin)
    teams = {
        name: workspaces.create_team(workspace, name, actor=admin, code=spec.team_codes.get(name))
        for name in sorted({p.team for p in spec.people if p.team} | set(spec.team_codes))
    }
    partners = {
        name: workspaces.create_partner_organisation(workspace, name, actor=admin)
        for name in sorted({p.partner for p in spec.people if p.partner})
    }
    people: dict[str, User] = {}
    logins = []
    for person in spec.people:
        user = users.create_user(
            _login_for(person, spec.slug), person.name, password, preferred_locale=person.locale
        )
        membership = users.add_member(
            workspace,
            user,
            person.role,
            actor=admin,
            team=teams.get(person.team),
            partner_organisation=partners.get(person.partner),
        )
        if person.role == Role.AGENT:  # this month's roster, confirmed (CCIMA-3, CCIMA-4)
            month = now().astimezone(ZoneInfo(spec.time_zone)).date()
            users.put_on_roster(membership, month, confirmed_at=now(), actor=admin)
        people[person.name] = user
        of = f" of {person.partner}" if person.partner else ""
        logins.append((user.email, f"{person.role.value}{of} in {spec.slug}"))
    _plan_next_roster(workspace, admin)
    organisation_of = {p.name: partners[p.partner].id for p in spec.people if p.partner}
    for demo in spec.leads:
        _seed_lead(workspace, demo, people, organisation_of, admin)
    agents = [people[p.name] for p in spec.people if p.role == Role.AGENT]
    demo_reports.close_some(_seed_history(workspace, spec, agents, admin), agents)
    demo_telecom.seed(workspace, people, admin)  # campaigns, customers, a week of calls
    demo_portal.seed(workspace, admin)  # CPB's allocated leads with their clocks (issue 13)
    return logins


def _seed_lead(
    workspace: Workspace,
    demo: DemoLead,
    people: dict[str, User],
    organisation_of: dict[str, int],
    admin: User,
) -> None:
    """A demo lead, then given to its owner as a manager would: a partner's lead is allocated
    to their organisation, its partner clocks running (CPB-2..4)."""
    attributes = dict(demo.attributes)
    if demo.owner in organisation_of:
        attributes["partner"] = organisation_of[demo.owner]
    lead = leads.create_lead(
        workspace,
        contact_name=demo.contact_name,
        phone=demo.phone,
        email=demo.email,
        company=demo.company,
        source=demo.source,
        rating=demo.rating,
        lead_type=demo.lead_type,
        attributes=attributes,
        actor=admin,
    )
    if demo.owner:
        assignment.reassign(lead, people[demo.owner], actor=admin)


def _plan_next_roster(workspace: Workspace, admin: User) -> None:
    """Where the policy keeps a monthly roster, next month's has every agent on it, so the
    demo's advisors are sent it (and asked to confirm) on the send day."""
    policy = policies.active_policy(workspace)
    if not policy.roster.enabled:
        return
    _this_month, next_month = upcoming_roster_months(policy, now())
    agents = [m for m in roster.agents(workspace)]
    roster.plan_month(workspace, next_month, agents, actor=admin)
