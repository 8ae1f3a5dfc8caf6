"""What one report is asked for — workspace, policy, period, viewer, dimension — and the SQL
pieces metrics build from it: the leads the viewer may see, the period's bounds, the group
key of the dimension and the per-bucket key of day/week/month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, literal_column, or_

from tenants import Policy
from webapp.extensions import db
from webapp.models import Lead, Membership, Role, Workspace
from webapp.tenancy import scoped

from .period import Period

TIME_DIMENSIONS = ("day", "week", "month")
# Grouped by the output column's name: PostgreSQL would not match a CASE with bound
# parameters in GROUP BY to the same CASE in SELECT.
KEY = "group_key"
# Metrics over the leads' arrival group a time series by the lead's local day of arrival (a
# fact on the lead row, read from ix_leads_report); webapp.reports.compute adds the days up
# into the period's buckets. Cheaper than a CASE over a million rows.
DAY_KEY = "day_key"
# The lead column each non-time dimension groups by (a metric may name another column).
LEAD_KEYS = {
    "agent": Lead.owner_id,
    "team": Lead.team_id,
    "partner": Lead.partner_organisation_id,
    "source": Lead.source,
    "lead_type": Lead.lead_type,
}
# Department names of dimensions (a policy's `metrics_per`) and the dimension they mean.
ALIASES = {"manager": "team", "cpt_agent": "agent", "ae_agent": "agent", "member": "agent"}


def owners_teams() -> dict[int, int]:
    """Each member of the workspace who has a team -> that team (a few rows)."""
    query = (
        scoped(Membership)
        .with_only_columns(Membership.user_id, Membership.team_id)
        .where(Membership.team_id.is_not(None))
        .order_by(Membership.user_id)
    )
    return dict(db.session.execute(query).all())


def owners_team(owner: Any = Lead.owner_id) -> Any:
    """The team of the holder in `owner`, for leads handed to a person rather than a team: a
    CASE over the workspace's members who have a team (read once), not a subquery per lead;
    None if no member has a team."""
    teams = owners_teams()
    if not teams:
        return None
    return case(teams, value=owner, else_=None)


@dataclass(frozen=True)
class Viewer:
    """Whose figures the reader may see: everyone's, a team's, or one member's own."""

    user_id: int | None = None  # only this member's leads
    team_id: int | None = None  # only this team's leads

    @classmethod
    def of(cls, membership: Membership | None, policy: Policy) -> Viewer:
        if membership is None or membership.role in (Role.ADMIN, Role.DIRECTOR):
            return cls()
        if membership.role == Role.MANAGER:
            return cls(team_id=membership.team_id) if membership.team_id else cls()
        if membership.role == Role.AGENT and policy.reporting.agents_see_team:
            return (
                cls(team_id=membership.team_id) if membership.team_id else cls(membership.user_id)
            )
        # A partner's leads are narrowed to their organisation by scoped(); an agent's here.
        return cls(user_id=membership.user_id) if membership.role == Role.AGENT else cls()


@dataclass(frozen=True)
class Cut:
    workspace: Workspace
    policy: Policy
    period: Period
    viewer: Viewer
    dimension: str | None = None  # None: the total

    def grouped(self, dimension: str | None) -> Cut:
        return Cut(self.workspace, self.policy, self.period, self.viewer, dimension)

    def leads(self) -> Select:
        """The leads the viewer may see (tenancy first: another workspace's never)."""
        query = scoped(Lead).select_from(Lead)  # kept when metrics swap the columns
        if self.viewer.user_id is not None:
            query = query.where(Lead.owner_id == self.viewer.user_id)
        if self.viewer.team_id is not None:
            team = (
                scoped(Membership)
                .with_only_columns(Membership.user_id)
                .where(Membership.team_id == self.viewer.team_id)
            )
            query = query.where(or_(Lead.team_id == self.viewer.team_id, Lead.owner_id.in_(team)))
        return query

    def during(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.period.start, column < self.period.end)

    def key(self, at: Any, **columns: Any) -> ColumnElement[Any]:
        """The group key of the asked dimension: for day/week/month the index of the bucket
        `at` falls in (a CASE over bucket bounds computed in the zone: the same SQL on SQLite
        and PostgreSQL), else the lead's column (or the one the metric names)."""
        if self.dimension is None:
            return literal(None).label(KEY)
        if self.dimension in columns:
            return columns[self.dimension].label(KEY)
        dimension = ALIASES.get(self.dimension, self.dimension)
        if dimension in TIME_DIMENSIONS:
            buckets = self.period.buckets(dimension)
            whens = [(at < end, index) for index, (_, _, end) in enumerate(buckets)]
            return case(*whens, else_=None).label(KEY)
        if dimension == "team" and dimension not in columns:
            holders_team = owners_team()
            if holders_team is None:
                return Lead.team_id.label(KEY)
            return func.coalesce(Lead.team_id, holders_team).label(KEY)
        return columns.get(dimension, LEAD_KEYS.get(dimension)).label(KEY)

    def arrived(self) -> ColumnElement[bool]:
        """The lead arrived in the period: its local day of arrival is one of the period's."""
        first, last = self.period.first.toordinal(), self.period.last.toordinal()
        return and_(Lead.arrived_on >= first, Lead.arrived_on <= last)

    def arrival_key(self) -> ColumnElement[Any]:
        """The group key of a metric over the leads' arrival: for day/week/month the local
        day of arrival (compute adds the days into buckets), else as `key`."""
        if ALIASES.get(self.dimension, self.dimension) in TIME_DIMENSIONS:
            return Lead.arrived_on.label(DAY_KEY)
        return self.key(Lead.created_at)

    def arrival_bucket_key(self) -> ColumnElement[Any]:
        """As `arrival_key`, but for day/week/month the bucket's index itself, from the local
        day of arrival (a CASE over integer day ordinals), for metrics whose figures cannot
        be added up per day (percentiles)."""
        if ALIASES.get(self.dimension, self.dimension) not in TIME_DIMENSIONS:
            return self.key(Lead.created_at)
        starts = [first.toordinal() for first, _, _ in self.period.buckets(self.dimension_of)]
        if len(starts) == 1:
            return literal(0).label(KEY)
        whens = [(Lead.arrived_on < start, index) for index, start in enumerate(starts[1:])]
        return case(*whens, else_=len(starts) - 1).label(KEY)

    @property
    def dimension_of(self) -> str | None:
        return ALIASES.get(self.dimension, self.dimension)

    def bucket_of_days(self) -> dict[int, int]:
        """Each local day's ordinal in the period -> the index of its bucket."""
        dimension = ALIASES.get(self.dimension, self.dimension)
        out, starts = {}, [first.toordinal() for first, _, _ in self.period.buckets(dimension)]
        index = 0
        for day in range(self.period.first.toordinal(), self.period.last.toordinal() + 1):
            while index + 1 < len(starts) and day >= starts[index + 1]:
                index += 1
            out[day] = index
        return out

    def bucket_dates(self) -> list[date]:
        dimension = ALIASES.get(self.dimension, self.dimension)
        return [first for first, _, _ in self.period.buckets(dimension)]

    def group(self, query: Select) -> Select:
        if self.dimension is None:
            return query
        by_day = DAY_KEY in query.selected_columns.keys()  # noqa: SIM118 (the names)
        return query.group_by(literal_column(DAY_KEY if by_day else KEY))
