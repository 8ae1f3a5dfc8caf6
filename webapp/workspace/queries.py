"""The leads list's read model: filters read from a query string (each bad one said beside its
field), sortable columns, a page and the total (issue 16 item 6).

The web list, its CSV export and `GET /api/v1/leads` apply the same conditions
(`conditions()`), so a saved view, the export and the API agree on what a filter means.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import joinedload

from tenants import Policy
from webapp.extensions import db
from webapp.models import Lead, Membership, Role, Team, User, Workspace
from webapp.tenancy import scoped

PAGE_SIZE = 50
EXPORT_MAX = 50_000  # rows in one CSV file
MAX_PAGE = 100_000
UNASSIGNED = "none"
DATE_FIELDS = ("created_from", "created_to", "updated_from", "updated_to")


def _ranked(codes: list[str], column) -> Any:
    """Order by the policy's own order of `codes` (statuses as listed, ratings best first)."""
    if not codes:
        return column
    return case({code: i for i, code in enumerate(codes)}, value=column, else_=len(codes))


# Sortable columns: the URL's `sort` → the column (or expression) the list orders by.
SORTS: dict[str, Callable[[Policy], Any]] = {
    "contact": lambda p: func.lower(Lead.contact_name),
    "status": lambda p: _ranked([s.code for s in p.intake.statuses], Lead.status),
    "owner": lambda p: func.lower(User.name),
    "source": lambda p: Lead.source,
    "type": lambda p: Lead.lead_type,
    "rating": lambda p: _ranked(list(p.intake.rating_scale), Lead.rating),
    "created": lambda p: Lead.created_at,
    "updated": lambda p: Lead.updated_at,
}
DEFAULT_SORT, DEFAULT_DIRECTION = "updated", "desc"


def natural_direction(column: str) -> str:
    """Times newest first, words and ranks from the top."""
    return "desc" if column in ("created", "updated") else "asc"


@dataclass(frozen=True)
class Choices:
    """What the filters may be set to for this reader: the policy's codes, the members and
    teams they may filter by."""

    statuses: list[tuple[str, str]]
    sources: list[tuple[str, str]]
    lead_types: list[tuple[str, str]]
    ratings: list[tuple[str, str]]
    owners: list[tuple[int, str]]
    teams: list[tuple[int, str]]


@dataclass(frozen=True)
class LeadFilters:
    q: str = ""
    status: str = ""
    owner: str = ""  # a user id, or "none" for the unassigned
    team: str = ""
    source: str = ""
    lead_type: str = ""
    rating: str = ""
    created_from: date | None = None
    created_to: date | None = None
    updated_from: date | None = None
    updated_to: date | None = None
    sort: str = DEFAULT_SORT
    direction: str = DEFAULT_DIRECTION
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def args(self, **changes: Any) -> dict[str, str]:
        """The filters and sort as URL arguments (only those set, the page left out unless
        given in `changes`): what a link, a saved view and the export carry."""
        values = replace(self, **changes) if changes else self
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(values, f.name)
            if f.name in ("errors", "page", "direction") or not value or value == f.default:
                continue
            out[f.name] = value.isoformat() if isinstance(value, date) else str(value)
        if values.direction != natural_direction(values.sort):
            out["direction"] = values.direction
        if "page" in changes and values.page > 1:
            out["page"] = str(values.page)
        return out

    def sorted_by(self, column: str) -> dict[str, str]:
        """The arguments of a column header's link: by `column`, the other way if already."""
        if self.sort == column:
            direction = "asc" if self.direction == "desc" else "desc"
        else:
            direction = natural_direction(column)
        return self.args(sort=column, direction=direction)

    def aria_sort(self, column: str) -> str:
        if self.sort != column:
            return "none"
        return "ascending" if self.direction == "asc" else "descending"

    @property
    def narrowed(self) -> bool:
        """Whether any filter (not only a sort) is set."""
        return any(k not in ("sort", "direction") for k in self.args())


def _text(args: Mapping[str, str], name: str, limit: int = 100) -> str:
    return (args.get(name) or "").strip()[:limit]


def _one_of(value: str, allowed: set[str], message: str, name: str, errors: dict) -> str:
    if value and value not in allowed:
        errors[name] = message
        return ""
    return value


def _date(args: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    raw = _text(args, name, 40)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Not a date (YYYY-MM-DD): %(value)s.", value=raw)
        return None


def _page(raw: str | None) -> int:
    return max(1, min(int(raw), MAX_PAGE)) if raw and raw.isdigit() and len(raw) < 7 else 1


def read_filters(args: Mapping[str, str], choices: Choices) -> LeadFilters:
    """The filters of the query string, each checked against what this reader may choose;
    a bad one is left out and said beside its field (never a 500)."""
    errors: dict[str, str] = {}
    owners = {str(i) for i, _n in choices.owners} | {UNASSIGNED}
    picked = {
        "status": _one_of(
            _text(args, "status", 40),
            {c for c, _l in choices.statuses},
            _("Choose a status from the list."),
            "status",
            errors,
        ),
        "owner": _one_of(
            _text(args, "owner", 20), owners, _("Choose an owner from the list."), "owner", errors
        ),
        "team": _one_of(
            _text(args, "team", 20),
            {str(i) for i, _n in choices.teams},
            _("Choose a team from the list."),
            "team",
            errors,
        ),
        "source": _one_of(
            _text(args, "source", 60),
            {c for c, _l in choices.sources},
            _("Choose a source from the list."),
            "source",
            errors,
        ),
        "lead_type": _one_of(
            _text(args, "lead_type", 20),
            {c for c, _l in choices.lead_types},
            _("Choose a lead type from the list."),
            "lead_type",
            errors,
        ),
        "rating": _one_of(
            _text(args, "rating", 10),
            {c for c, _l in choices.ratings},
            _("Choose a rating from the list."),
            "rating",
            errors,
        ),
    }
    dates = {name: _date(args, name, errors) for name in DATE_FIELDS}
    for start, end in (("created_from", "created_to"), ("updated_from", "updated_to")):
        if dates[start] and dates[end] and dates[end] < dates[start]:
            errors[end] = _("The end of the period comes before its start.")
    sort = _text(args, "sort", 20) or DEFAULT_SORT
    if sort not in SORTS:
        sort = DEFAULT_SORT  # a column header's link: nothing a person typed
    direction = args.get("direction")
    if direction not in ("asc", "desc"):
        direction = natural_direction(sort)
    return LeadFilters(
        q=_text(args, "q"),
        **picked,
        **dates,
        sort=sort,
        direction=direction,
        page=_page(args.get("page")),
        errors=errors,
    )


def choices(workspace: Workspace, membership: Membership, policy: Policy, labels) -> Choices:
    """What this reader may filter by: a partner only the holders of the leads they see,
    and no teams; everyone else the workspace's members and teams."""
    if membership.role == Role.PARTNER:
        holders = scoped(Lead).with_only_columns(Lead.owner_id)
        people = select(User.id, User.name).where(User.id.in_(holders))
        teams: list[tuple[int, str]] = []
    else:
        people = (
            scoped(Membership)
            .join(User, User.id == Membership.user_id)
            .with_only_columns(User.id, User.name)
        )
        teams = [(t.id, t.name) for t in db.session.scalars(scoped(Team).order_by(Team.name)).all()]
    owners = [(i, n) for i, n in db.session.execute(people.order_by(User.name)).all()]
    return Choices(
        statuses=labels.statuses(),
        sources=labels.sources(),
        lead_types=labels.lead_types(),
        ratings=[(code, code) for code in policy.intake.rating_scale],
        owners=owners,
        teams=teams,
    )


def _start_of(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


def search(text: str) -> ColumnElement[bool]:
    """Leads whose name, company, phone or e-mail contains `text`."""
    text = text.replace("\x00", "")  # PostgreSQL refuses NUL in a string
    pattern = f"%{text.lower()}%"
    return or_(
        func.lower(Lead.contact_name).like(pattern),
        func.lower(Lead.company).like(pattern),
        Lead.phone_e164.like(f"%{text}%"),
        Lead.email_normalised.like(pattern),
    )


def conditions(filters: LeadFilters, zone: str) -> list[ColumnElement[bool]]:
    """The WHERE conditions of `filters` (days in time zone `zone`, `to` days inclusive)."""
    where: list[ColumnElement[bool]] = []
    if filters.q:
        where.append(search(filters.q))
    for name, column in (
        ("status", Lead.status),
        ("source", Lead.source),
        ("lead_type", Lead.lead_type),
        ("rating", Lead.rating),
    ):
        if getattr(filters, name):
            where.append(column == getattr(filters, name))
    if filters.owner == UNASSIGNED:
        where.append(Lead.owner_id.is_(None))
    elif filters.owner:
        where.append(Lead.owner_id == int(filters.owner))
    if filters.team:
        where.append(Lead.team_id == int(filters.team))
    for column, start, end in (
        (Lead.created_at, filters.created_from, filters.created_to),
        (Lead.updated_at, filters.updated_from, filters.updated_to),
    ):
        if start:
            where.append(column >= _start_of(start, zone))
        if end:
            where.append(column < _start_of(end + timedelta(days=1), zone))
    return where


def statement(workspace: Workspace, policy: Policy, filters: LeadFilters) -> Select:
    """The reader's leads (through the scoping door) that match, in the asked order."""
    key = SORTS[filters.sort](policy)
    ordered = key.asc() if filters.direction == "asc" else key.desc()
    tie = Lead.id.asc() if filters.direction == "asc" else Lead.id.desc()
    query = _matching(workspace, filters)
    if filters.sort == "owner":
        query = query.outerjoin(User, User.id == Lead.owner_id)
    return query.options(joinedload(Lead.owner), joinedload(Lead.team)).order_by(
        ordered.nulls_last(), tie
    )


def _matching(workspace: Workspace, filters: LeadFilters) -> Select:
    return scoped(Lead).where(*conditions(filters, workspace.time_zone))


@dataclass(frozen=True)
class LeadPage:
    leads: list[Lead]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def first_row(self) -> int:
        return 0 if not self.total else (self.page - 1) * PAGE_SIZE + 1

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.leads) - 1 if self.leads else 0


def page_of(workspace: Workspace, policy: Policy, filters: LeadFilters) -> LeadPage:
    """One page of the matching leads and how many match in all."""
    counted = _matching(workspace, filters).with_only_columns(func.count(Lead.id))
    total = db.session.scalar(counted)
    offset = (filters.page - 1) * PAGE_SIZE
    query = statement(workspace, policy, filters).offset(offset).limit(PAGE_SIZE)
    rows = db.session.scalars(query).unique().all()
    return LeadPage(list(rows), int(total or 0), filters.page)


def export_rows(workspace: Workspace, policy: Policy, filters: LeadFilters) -> list[Lead]:
    """Every matching lead, in the list's order (up to EXPORT_MAX)."""
    query = statement(workspace, policy, filters).limit(EXPORT_MAX)
    return list(db.session.scalars(query).unique().all())
