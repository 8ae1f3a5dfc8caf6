"""The telecom demo (TEL-1..10): three campaigns with priorities and exceptions, a small
customer base, a second-line agent, and a past week of calls so the offer-rate report shows."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from webapp.clock import now
from webapp.extensions import db
from webapp.models import Interaction, Membership, Offer, User, Workspace
from webapp.operations import campaigns, customers, interactions, offers
from webapp.tenancy import scoped

SECOND_LINE = ("Елена Соколова",)
CAMPAIGNS = (
    {
        "code": "ROAM",
        "name": "Роуминг без границ",
        "priority": 1,
        "active": True,
        "description": "Пакет роуминга на 30 дней.",
        "script": "Вы часто путешествуете? Подключите «Роуминг без границ»: 30 дней интернета "
        "за границей за 499 ₽.",
        "excluded_tariffs": ["Корпоративный"],
    },
    {
        "code": "INBA",
        "name": "Интернет-пакет INBA",
        "priority": 2,
        "active": True,
        "description": "Дополнительные 10 ГБ в месяц.",
        "script": "Для вас есть предложение: +10 ГБ интернета каждый месяц за 150 ₽. Подключить?",
        "excluded_services": ["Безлимит"],
    },
    {
        "code": "TV",
        "name": "Домашнее телевидение",
        "priority": 3,
        "active": True,
        "description": "Цифровое телевидение для абонентов из списка.",
        "script": "Подключите домашнее телевидение: 200 каналов, первый месяц бесплатно.",
    },
)
CUSTOMERS = """ctn,tariff,services
9161234567,Смарт,SMS-пакет
9037654321,Корпоративный,
9150000001,Базовый,
9150000002,Смарт,Безлимит
9150000003,Базовый,
9150000004,Смарт,
9150000005,Базовый,
9150000006,Смарт,
""".encode()
TV_NUMBERS = ["9150000001", "9150000003", "9161234567"]
NUMBERS = [
    "9150000001",
    "9150000002",
    "9150000003",
    "9150000004",
    "9150000005",
    "9150000006",
    "9161234567",
    "9037654321",
]
# What each call of the week ends with, in turn: an answer to its first offer, or
# None (saved without an offer), or a transfer to OSO.
PATTERN = ("YES", "NO", "THINK", "YES", None, "NO", "OSO", "YES", "THINK", "NO", "YES", None)
CALLS_PER_DAY = 4


def seed(workspace: Workspace, people: dict[str, User], admin: User) -> None:
    """Fill the telecom workspace; any other workspace is left alone."""
    if workspace.slug != "telecom":
        return
    for name in SECOND_LINE:
        member = db.session.scalar(
            scoped(Membership, workspace=workspace).where(Membership.user_id == people[name].id)
        )
        member.line = "second"  # TEL-8 (the people pages edit it; the demo sets it)
    made = [campaigns.create_campaign(workspace, dict(c), actor=admin) for c in CAMPAIGNS]
    campaigns.replace_targets(made[2], TV_NUMBERS, actor=admin)
    customers.import_customers(workspace, CUSTOMERS, actor=admin)
    agents = [u for n, u in people.items() if n in ("Анна Кузнецова", "Дмитрий Орлов")]
    _week(workspace, agents, [people[n] for n in SECOND_LINE])


def _week(workspace: Workspace, agents: list[User], second_line: list[User]) -> None:
    zone = ZoneInfo(workspace.time_zone)
    today = now().astimezone(zone).date()
    n = 0
    for back in range(7, 0, -1):
        day = today - timedelta(days=back)
        for slot in range(CALLS_PER_DAY):
            at = datetime.combine(day, time(9 + 2 * slot, 7 * slot), zone).astimezone(UTC)
            _call(
                workspace,
                agents[n % len(agents)],
                NUMBERS[n % len(NUMBERS)],
                PATTERN[n % len(PATTERN)],
                at,
            )
            n += 1
        _call(
            workspace,
            second_line[0],
            NUMBERS[back % len(NUMBERS)],
            None,
            at + timedelta(minutes=30),
        )


def _call(workspace: Workspace, agent: User, ctn: str, ending: str | None, at: datetime) -> None:
    """One past call, made through the operations, then moved back to when it happened."""
    interaction = interactions.open_interaction(workspace, ctn, agent=agent, actor=agent)
    shown = _shown(workspace, interaction)
    if ending == "OSO":
        interactions.transfer(interaction, "OSO", actor=agent)
    elif ending and shown and interaction.agent_line != "second":
        offers.record_answer(interaction, shown[0], ending, actor=agent)
    interactions.close(interaction, actor=agent)
    db.session.execute(
        update(Interaction)
        .where(Interaction.id == interaction.id)
        .values(
            opened_on=at.astimezone(ZoneInfo(workspace.time_zone)).date(),
            created_at=at,
            updated_at=at,
            closed_at=at + timedelta(minutes=4),
        )
    )
    db.session.execute(
        update(Offer)
        .where(Offer.interaction_id == interaction.id)
        .values(answered_at=at + timedelta(minutes=2))
    )


def _shown(workspace: Workspace, interaction: Interaction):
    from webapp.operations import policies

    shown, _ = campaigns.for_number(
        workspace,
        policies.active_policy(workspace),
        interaction.ctn,
        interaction.tariff,
        interaction.services,
        campaigns.local_day(workspace),
    )
    return shown
