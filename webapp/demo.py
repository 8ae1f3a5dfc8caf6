"""The five demo workspaces: one per department in docs/rules.md, with people and leads.

Names of participants come from the departments' own documents where they list them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tenants.decisions.roster import upcoming_roster_months
from tenants.profiles import load_profile
from webapp import demo_reports
from webapp.clock import now
from webapp.models import Lead, Role, User, Workspace
from webapp.operations import activities, leads, policies, roster, users, workspaces
from webapp.operations.unit import operation

ADMIN_EMAIL = "admin@leadline.test"


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


WORKSPACES = (
    DemoWorkspace(
        "locals411",
        "411 Locals Customer Success",
        "locals411_cpt_ae",
        "en",
        "America/Los_Angeles",
        "US",
        people=(
            Person("June Irwin Santos", Role.DIRECTOR),
            *(
                Person(n, Role.AGENT, team="Customer Protection")
                for n in (
                    "Simon Vale",
                    "Lee Gomez",
                    "Mars Peters",
                    "Maria Lopez",
                    "Loueis Castro",
                    "Ed Grant",
                    "Mary Thompson",
                )
            ),
            Person("Matthew Benton", Role.MANAGER, team="Area Expansion"),
            Person("Calvin Myers", Role.AGENT, team="Area Expansion"),
            Person("Yamil Cabrera", Role.AGENT, team="Area Expansion"),
        ),
        team_codes={"Customer Protection": "cpt", "Area Expansion": "ae", "Retention": "ret"},
        leads=(
            DemoLead(
                "Harbor Plumbing",
                "+1 415 555 0101",
                "owner@harborplumbing.test",
                "Harbor Plumbing LLC",
                "cpt_call",
                owner="Simon Vale",
            ),
            DemoLead(
                "Sunset Dental",
                "(415) 555-0144",
                "frontdesk@sunsetdental.test",
                "Sunset Dental",
                "cpt_call",
                owner="Lee Gomez",
            ),
            DemoLead(
                "Bay Roofing",
                "+1 510 555 0199",
                None,
                "Bay Roofing Co",
                "cpt_call",
                owner="Maria Lopez",
            ),
        ),
    ),
    DemoWorkspace(
        "cpb",
        "CPB UK Partner Leads",
        "cpb_partner_leads",
        "en",
        "Europe/London",
        "GB",
        people=(
            Person("Olivia Hart", Role.DIRECTOR),
            Person("Tom Reeves", Role.MANAGER, team="Qualification"),
            Person("Priya Shah", Role.AGENT, team="Qualification"),
            Person("Daniel Brooks", Role.PARTNER, partner="Northwind Resellers"),
            Person("Grace Lee", Role.PARTNER, partner="Northwind Resellers"),
            # A second organisation: its partner sees only its own leads (CPB-10).
            Person("Aisha Khan", Role.PARTNER, partner="Harbour IT Partners"),
        ),
        leads=(
            DemoLead(
                "Ian Fletcher",
                "+44 20 7946 0321",
                "ian.fletcher@acme-logistics.test",
                "Acme Logistics",
                "cpb_qualified",
                lead_type="AQL",
                owner="Daniel Brooks",
            ),
            DemoLead(
                "Sarah Nolan",
                "020 7946 0588",
                "s.nolan@brightwater.test",
                "Brightwater Foods",
                "cpb_qualified",
                lead_type="OQL",
                owner="Grace Lee",
            ),
            DemoLead(
                "Mark Ellis",
                None,
                "mark.ellis@ferncloud.test",
                "Ferncloud",
                "cpb_qualified",
                lead_type="RQL",
                owner="Daniel Brooks",
            ),
            DemoLead(
                "Rachel Moore",
                "+44 161 496 0742",
                "rachel.moore@pennine-freight.test",
                "Pennine Freight",
                "cpb_qualified",
                lead_type="AQL",
                owner="Aisha Khan",
            ),
        ),
    ),
    DemoWorkspace(
        "ccima",
        "CCIMA Contact Center",
        "ccima_contact_center",
        "es",
        "America/Mexico_City",
        "MX",
        people=(
            Person("Laura Méndez", Role.DIRECTOR, locale="es"),
            Person("Jorge Ramírez", Role.MANAGER, team="Asesores", locale="es"),
            Person("Ana Torres", Role.AGENT, team="Asesores", locale="es"),
            Person("Luis Herrera", Role.AGENT, team="Asesores", locale="es"),
            Person("Sofía Castillo", Role.AGENT, team="Asesores", locale="es"),
            Person("Diego Morales", Role.AGENT, team="Soporte interno", locale="es"),
        ),
        leads=(
            DemoLead(
                "María Fernández",
                "55 1234 5678",
                "maria.fernandez@correo.test",
                source="digital_marketing",
                owner="Ana Torres",
                rating="AAA",
            ),
            DemoLead(
                "Roberto Díaz",
                "+52 33 9876 5432",
                None,
                source="digital_marketing",
                owner="Luis Herrera",
                rating="AA",
            ),
            DemoLead(
                "Carmen Ruiz",
                "81 2345 6789",
                "carmen.ruiz@correo.test",
                source="fuente_mkt_ccima",
                owner="Sofía Castillo",
                rating="A",
            ),
        ),
        first_contact_minutes=(4, 8, 12, 13, 7, 16, 9, 11, 5, 14, 20, 6, 12, 9),
        team_codes={"Asesores": "contact_center", "Soporte interno": "internal_support"},
    ),
    DemoWorkspace(
        "telecom",
        "Телеком: входящие предложения",
        "telecom_inbound_offers",
        "ru",
        "Europe/Moscow",
        "RU",
        people=(
            Person("Ирина Волкова", Role.DIRECTOR, locale="ru", login="Irina Volkova"),
            Person(
                "Павел Смирнов",
                Role.MANAGER,
                team="Первая линия",
                locale="ru",
                login="Pavel Smirnov",
            ),
            Person(
                "Анна Кузнецова",
                Role.AGENT,
                team="Первая линия",
                locale="ru",
                login="Anna Kuznetsova",
            ),
            Person(
                "Дмитрий Орлов", Role.AGENT, team="Первая линия", locale="ru", login="Dmitry Orlov"
            ),
            Person(
                "Елена Соколова",
                Role.AGENT,
                team="Вторая линия",
                locale="ru",
                login="Elena Sokolova",
            ),
        ),
        leads=(
            DemoLead(
                "Сергей Иванов", "+7 916 123-45-67", source="inbound_call", owner="Анна Кузнецова"
            ),
            DemoLead(
                "Ольга Петрова", "8 (903) 765-43-21", source="inbound_call", owner="Дмитрий Орлов"
            ),
        ),
    ),
    DemoWorkspace(
        "bdc",
        "BDC Concessionnaire",
        "dealer_bdc",
        "fr",
        "America/Toronto",
        "CA",
        people=(
            Person("Nathalie Gagnon", Role.DIRECTOR, locale="fr"),
            Person("Marc Tremblay", Role.MANAGER, team="Ventes", locale="fr"),
            Person("Julie Côté", Role.AGENT, team="BDC", locale="fr"),
            Person("Samuel Roy", Role.AGENT, team="BDC", locale="fr"),
            Person("Émilie Bouchard", Role.AGENT, team="BDC", locale="fr"),
        ),
        team_codes={"BDC": "bdc", "Ventes": "sales"},
        leads=(
            DemoLead(
                "Louis Bélanger",
                None,
                "louis.belanger@courriel.test",
                source="email",
                owner="Julie Côté",
            ),
            DemoLead(
                "Chantal Pelletier", "514 555 0188", None, source="phone_up", owner="Samuel Roy"
            ),
            DemoLead(
                "Kevin Lavoie",
                "(438) 555-0123",
                "k.lavoie@courriel.test",
                source="web_form",
                owner="Émilie Bouchard",
            ),
        ),
    ),
)


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
            note="demo",
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
        leads.create_lead(
            workspace,
            contact_name=demo.contact_name,
            phone=demo.phone,
            email=demo.email,
            company=demo.company,
            source=demo.source,
            rating=demo.rating,
            lead_type=demo.lead_type,
            owner=people.get(demo.owner) if demo.owner else None,
            partner_organisation_id=organisation_of.get(demo.owner),
            actor=admin,
        )
    agents = [people[p.name] for p in spec.people if p.role == Role.AGENT]
    demo_reports.close_some(_seed_history(workspace, spec, agents, admin), agents)
    return logins


def _plan_next_roster(workspace: Workspace, admin: User) -> None:
    """Where the policy keeps a monthly roster, next month's has every agent on it, so the
    demo's advisors are sent it (and asked to confirm) on the send day."""
    policy = policies.active_policy(workspace)
    if not policy.roster.enabled:
        return
    _this_month, next_month = upcoming_roster_months(policy, now())
    agents = [m for m in roster.agents(workspace)]
    roster.plan_month(workspace, next_month, agents, actor=admin)
