"""The metrics every department needs, registered by name (webapp.reports.registry)."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, distinct, func, or_
from sqlalchemy.sql import visitors

from webapp.clock import now
from webapp.extensions import db
from webapp.models import (
    Deadline,
    DeadlineState,
    Lead,
    LeadStatusMove,
    Membership,
    Task,
    TaskState,
)
from webapp.tenancy import owned_by, scoped

from . import arrivals, durations
from .cut import Cut, Viewer, owners_team
from .registry import COUNT, LEAD_DIMENSIONS, MONEY, RATIO, SECONDS, SHARE, Column, Row, metric

REMINDER = "timer.reminder"
STATUS_ACTIONS = ("lead.status", "lead.invalidated")


@metric("leads_received", _l("Leads received"), additive=True)
def leads_received(cut: Cut):
    """Leads that arrived in the period (their local day of arrival, ix_leads_report)."""
    return arrivals.counts(cut, value=func.count(Lead.id))


@metric(
    "speed_to_lead",
    _l("Speed to lead"),
    (
        Column("contacted", _l("Leads contacted"), COUNT),
        Column("median", _l("Median"), SECONDS),
        Column("p90", _l("90th percentile"), SECONDS),
        Column("within_sla", _l("Within the SLA"), SHARE),
    ),
    headline=("median", "within_sla"),
)
def speed_to_lead(cut: Cut) -> tuple[list[Row], list[Row] | None]:
    """Arrival (or opening) to the first logged contact, per lead of the period: counts and
    percentiles aggregated by the database (webapp.reports.durations)."""
    return durations.figures_and_total(cut, durations.sla_seconds(cut.policy))


def _reassigning_timers(policy) -> list[str]:
    return [t.name for t in policy.timers if any(a.kind == "reassign" for a in t.actions)]


def _sla_finish(row: Row) -> Row:
    ended = (row["met"] or 0) + (row["breached"] or 0)
    return {**row, "compliance": (row["met"] or 0) / ended if ended else None}


@metric(
    "sla_compliance",
    _l("SLA compliance"),
    (
        Column("met", _l("Met"), COUNT),
        Column("breached", _l("Breached"), COUNT),
        Column("reassigned", _l("Reassigned on breach"), COUNT),
        Column("compliance", _l("Compliance"), SHARE),
    ),
    dimensions=("timer", *LEAD_DIMENSIONS),
    finish=_sla_finish,
    headline=("compliance",),
    additive=True,
)
def sla_compliance(cut: Cut):
    """Timers due in the period: met (stopped in time), breached (ran out), and of the
    breached those whose timer reassigns the lead."""
    key = cut.key(Deadline.due_at, timer=Deadline.kind)
    fired = Deadline.state == DeadlineState.FIRED
    reassigning = Deadline.kind.in_(_reassigning_timers(cut.policy) or [""])
    query = (
        cut.leads()
        .with_only_columns(
            key,
            func.sum(case((Deadline.state == DeadlineState.CANCELLED, 1), else_=0)).label("met"),
            func.sum(case((fired, 1), else_=0)).label("breached"),
            func.sum(case((fired & reassigning, 1), else_=0)).label("reassigned"),
        )
        .join(Deadline, Deadline.lead_id == Lead.id)
        .where(Deadline.kind != REMINDER, cut.during(Deadline.due_at))
    )
    return cut.group(query)


def _contact_finish(row: Row) -> Row:
    received = row["received"] or 0
    return {
        **row,
        "contact_rate": (row["contacted"] or 0) / received if received else None,
        "attempts_per_lead": (row["attempts"] or 0) / received if received else None,
    }


@metric(
    "contact_rate",
    _l("Contact rate"),
    (
        Column("received", _l("Leads received"), COUNT),
        Column("contacted", _l("Leads contacted"), COUNT),
        Column("contact_rate", _l("Contact rate"), SHARE),
        Column("attempts", _l("Attempts"), COUNT),
        Column("attempts_per_lead", _l("Attempts per lead"), RATIO),
    ),
    finish=_contact_finish,
    headline=("contact_rate", "attempts_per_lead"),
    additive=True,
)
def contact_rate(cut: Cut):
    """Of the period's leads, how many had a logged contact, and attempts per lead (the
    attempts counted on the lead row as they are logged: webapp.operations.lead_facts)."""
    return arrivals.counts(
        cut,
        received=func.count(Lead.id),
        contacted=func.sum(case((Lead.contact_attempts > 0, 1), else_=0)),
        attempts=func.sum(Lead.contact_attempts),
    )


def _status_moves(cut: Cut, *columns, key):
    """Status moves of the viewer's leads in the period: the narrow rows the status change
    writes (webapp.models.LeadStatusMove, read from ix_status_moves_report), not the audit
    JSON. Joined to the leads only when the viewer's scope or the group key needs them (a
    partner's narrowing applies to the moves themselves: webapp.tenancy.scoped)."""
    during = cut.during(LeadStatusMove.moved_at)
    if cut.viewer == Viewer() and not _reads_leads(key):
        return scoped(LeadStatusMove).with_only_columns(key, *columns).where(during)
    return (
        cut.leads()
        .with_only_columns(key, *columns)
        .join(LeadStatusMove, LeadStatusMove.lead_id == Lead.id)
        .where(owned_by(LeadStatusMove, cut.workspace), during)
    )


def _as_moved(cut: Cut) -> dict:
    """Group columns of the move itself: per agent, team or source, the holder, team and
    source the lead had as it moved (conversion per agent: who held the lead as it reached
    the stage), read from ix_status_moves_report without the leads."""
    columns = {"agent": LeadStatusMove.owner_id, "source": LeadStatusMove.source}
    if cut.dimension_of == "team":
        holders_team = owners_team(LeadStatusMove.owner_id)
        team = LeadStatusMove.team_id
        columns["team"] = team if holders_team is None else func.coalesce(team, holders_team)
    return columns


def _leads_moved(cut: Cut, name: str, key, *conditions):
    """Leads (not moves: a lead that moved twice counts once) per group of the moves in the
    period, as figure `name`. PostgreSQL counts them (count(DISTINCT), hashed); SQLite sorts
    for every DISTINCT, twice a cut (its groups, then its total), so there the (group, lead)
    pairs are read in one pass, as Core rows, and the groups and the total counted here."""
    if db.session.get_bind().dialect.name == "postgresql":
        moved = func.count(distinct(LeadStatusMove.lead_id)).label(name)
        return cut.group(_status_moves(cut, moved, key=key).where(*conditions))
    pairs = _status_moves(cut, LeadStatusMove.lead_id, key=key).where(*conditions)
    groups: dict = defaultdict(set)
    for group, lead_id in db.session.connection().execute(pairs):
        groups[group].add(lead_id)
    rows = [{"key": group, name: len(leads)} for group, leads in groups.items()]
    if cut.dimension is None:
        return rows
    return rows, [{"key": None, name: len(set().union(*groups.values()))}]


def _reads_leads(expression) -> bool:
    return any(getattr(e, "table", None) is Lead.__table__ for e in visitors.iterate(expression))


def _status_of_move():
    """The status a move went to."""
    return LeadStatusMove.status


@metric(
    "conversion",
    _l("Conversion by stage"),
    (Column("leads", _l("Leads"), COUNT),),
    dimensions=("stage", *LEAD_DIMENSIONS),
)
def conversion(cut: Cut):
    """Leads that reached each stage (status) in the period."""
    key = cut.key(LeadStatusMove.moved_at, stage=_status_of_move(), **_as_moved(cut))
    return _leads_moved(cut, "leads", key)


@metric("won_revenue", _l("Won revenue"), unit=MONEY, additive=True)
def won_revenue(cut: Cut):
    """The revenue of the deals won in the period, as recorded on the Won move."""
    key = cut.key(LeadStatusMove.moved_at, **_as_moved(cut))
    amount = func.coalesce(func.sum(LeadStatusMove.revenue), 0)
    query = _status_moves(cut, amount.label("value"), key=key).where(
        _status_of_move().in_(sorted(cut.policy.intake.won_codes) or [""])
    )
    return cut.group(query)


@metric(
    "leads_lost",
    _l("Leads lost"),
    dimensions=("reason", "stage", *LEAD_DIMENSIONS),
)
def leads_lost(cut: Cut):
    """Leads closed without a win in the period, and why (the reason given)."""
    policy = cut.policy
    lost = sorted(policy.intake.terminal_codes - policy.intake.won_codes) or [""]
    key = cut.key(
        LeadStatusMove.moved_at,
        reason=LeadStatusMove.reason,
        stage=_status_of_move(),
        **_as_moved(cut),
    )
    return _leads_moved(cut, "value", key, _status_of_move().in_(lost))


@metric(
    "open_work",
    _l("Open work"),
    (
        Column("due", _l("Due"), COUNT),
        Column("overdue", _l("Overdue"), COUNT),
    ),
    dimensions=("agent", "team"),
    headline=("due", "overdue"),
)
def open_work(cut: Cut):
    """Open tasks now, due later or already overdue (the period does not apply)."""
    key = cut.key(Task.due_at, agent=Task.assignee_id, team=Task.team_id)
    late = Task.due_at < now()
    query = scoped(Task).with_only_columns(
        key,
        func.sum(case((late, 0), else_=1)).label("due"),
        func.sum(case((late, 1), else_=0)).label("overdue"),
    )
    query = query.where(Task.state == TaskState.OPEN)
    if cut.viewer.user_id is not None:
        query = query.where(Task.assignee_id == cut.viewer.user_id)
    if cut.viewer.team_id is not None:
        team = (
            scoped(Membership)
            .with_only_columns(Membership.user_id)
            .where(Membership.team_id == cut.viewer.team_id)
        )
        query = query.where(or_(Task.team_id == cut.viewer.team_id, Task.assignee_id.in_(team)))
    return cut.group(query)
