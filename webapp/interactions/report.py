"""The offer-rate report (TEL-6..TEL-9): SQL aggregates over closed interactions per agent,
team or campaign, the totals, YES / NO / THINK and conversion, and the daily trend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, case, func

from tenants import Policy
from tenants.decisions.campaigns import missed_codes
from tenants.policy.answers import OfferRate
from webapp.extensions import db
from webapp.models import Campaign, Interaction, Membership, Offer, Team, User, Workspace
from webapp.operations import policies
from webapp.tenancy import scoped

GROUPINGS = ("agent", "team", "campaign")
OUTSIDE = ("transferred", "second_line", "exception")


@dataclass
class Figures:
    key: str = ""
    counted: int = 0
    offered: int = 0
    missed: int = 0
    excluded: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTSIDE, 0))
    yes: int = 0
    no: int = 0
    think: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.offered / self.counted, 1) if self.counted else None

    @property
    def answered(self) -> int:
        return self.yes + self.no + self.think

    @property
    def conversion(self) -> float | None:
        return round(100 * self.yes / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def last_days(cls, today: date, days: int = 8) -> Period:
        """The past week and today."""
        return cls(today - timedelta(days=days - 1), today)


def _count(*outcomes: str):
    return func.coalesce(func.sum(case((Interaction.outcome.in_(outcomes), 1), else_=0)), 0)


def _answers(code: str):
    return func.coalesce(func.sum(case((Offer.answer == code, 1), else_=0)), 0)


def _closed(workspace: Workspace, period: Period, agent_id: int | None) -> Select:
    query = scoped(Interaction, workspace=workspace).where(
        Interaction.closed_at.is_not(None),
        Interaction.opened_on >= period.start,
        Interaction.opened_on <= period.end,
    )
    return query if agent_id is None else query.where(Interaction.agent_id == agent_id)


def _key_column(group_by: str):
    if group_by == "team":
        return func.coalesce(Team.name, "—")
    return func.coalesce(User.name, "—")


def _joined(query: Select, group_by: str, workspace: Workspace) -> Select:
    query = query.outerjoin(User, User.id == Interaction.agent_id)
    if group_by == "team":
        members = scoped(Membership, workspace=workspace).subquery()
        query = query.outerjoin(members, members.c.user_id == Interaction.agent_id).outerjoin(
            Team, Team.id == members.c.team_id
        )
    return query


OUTCOME_COLUMNS = ("offered", "missed", *OUTSIDE)


def _outcome_counts(workspace: Workspace) -> list:
    """One count per column; `missed` counts the policy's code for a call without an offer
    (TEL-6: `answers.offer_rate.missing_offer_counts_as`) and the older fixed one."""
    missed = missed_codes(policies.active_policy(workspace))
    return [_count(*(missed if o == "missed" else (o,))).label(o) for o in OUTCOME_COLUMNS]


def _interaction_rows(workspace: Workspace, period: Period, group_by: str, agent_id: int | None):
    key = _key_column(group_by).label("key")
    query = _closed(workspace, period, agent_id).with_only_columns(key, *_outcome_counts(workspace))
    return db.session.execute(_joined(query, group_by, workspace).group_by(key)).all()


def _answer_rows(workspace: Workspace, period: Period, group_by: str, agent_id: int | None):
    key = (Campaign.name if group_by == "campaign" else _key_column(group_by)).label("key")
    query = (
        _closed(workspace, period, agent_id)
        .join(Offer, Offer.interaction_id == Interaction.id)
        .with_only_columns(key, _answers("YES"), _answers("NO"), _answers("THINK"))
    )
    query = (
        query.join(Campaign, Campaign.id == Offer.campaign_id)
        if group_by == "campaign"
        else _joined(query, group_by, workspace)
    )
    return db.session.execute(query.group_by(key)).all()


def _campaign_offered(workspace: Workspace, period: Period, agent_id: int | None):
    query = (
        _closed(workspace, period, agent_id)
        .join(Offer, Offer.interaction_id == Interaction.id)
        .join(Campaign, Campaign.id == Offer.campaign_id)
        .with_only_columns(Campaign.name, func.count(func.distinct(Interaction.id)))
        .group_by(Campaign.name)
    )
    return dict(db.session.execute(query).all())


def _fill(figures: Figures, row) -> None:
    figures.offered += row.offered
    figures.missed += row.missed
    figures.counted += row.offered + row.missed
    for outside in OUTSIDE:
        figures.excluded[outside] += getattr(row, outside)


def offer_rate(
    workspace: Workspace, period: Period, group_by: str = "agent", agent_id: int | None = None
) -> tuple[Figures, list[Figures]]:
    """(totals, one row per agent / team / campaign) for the period."""
    total = Figures(key="")
    rows: dict[str, Figures] = {}
    for row in _interaction_rows(workspace, period, "agent", agent_id):
        _fill(total, row)
    if group_by != "campaign":
        for row in _interaction_rows(workspace, period, group_by, agent_id):
            _fill(rows.setdefault(row.key, Figures(key=row.key)), row)
    else:
        for name, offered in _campaign_offered(workspace, period, agent_id).items():
            rows[name] = Figures(key=name, counted=total.counted, offered=offered)
    for key, yes, no, think in _answer_rows(workspace, period, group_by, agent_id):
        target = rows.setdefault(key, Figures(key=key))
        target.yes, target.no, target.think = yes, no, think
        total.yes, total.no, total.think = total.yes + yes, total.no + no, total.think + think
    return total, sorted(rows.values(), key=lambda f: f.key.casefold())


def daily(workspace: Workspace, period: Period, agent_id: int | None = None) -> list[Figures]:
    """One Figures per day of the period with calls (the trend)."""
    query = (
        _closed(workspace, period, agent_id)
        .with_only_columns(Interaction.opened_on, *_outcome_counts(workspace))
        .group_by(Interaction.opened_on)
        .order_by(Interaction.opened_on)
    )
    days = []
    for row in db.session.execute(query).all():
        figures = Figures(key=row.opened_on.isoformat())
        _fill(figures, row)
        days.append(figures)
    return days


def target(policy: Policy) -> float:
    return (policy.answers.offer_rate or OfferRate()).target_percent
