"""The Audit page's read model: the workspace's audit events by person, lead, kind of change
and period (days in the workspace's time zone), newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from webapp.audit_actions import ACTION_LABELS
from webapp.extensions import db
from webapp.models import AuditEvent, Deadline, Lead, Membership, User, Workspace
from webapp.tenancy import scoped

PAGE_SIZE = 50
EXPORT_MAX = 50_000  # rows in one CSV file


@dataclass
class Filters:
    person: int | None = None
    lead: int | None = None
    kind: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)


def _int(args: MultiDict, name: str, errors: dict[str, str]) -> int | None:
    raw = args.get(name, "").strip().lstrip("#")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) >= 2**31:
        errors[name] = _("Not a number: %(value)s.", value=raw[:40])
        return None
    return int(raw)


def _date(args: MultiDict, name: str, errors: dict[str, str]) -> date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Not a date (YYYY-MM-DD): %(value)s.", value=raw[:40])
        return None


def read_filters(args: MultiDict) -> Filters:
    """The filters of the query string; each bad one said beside its field."""
    errors: dict[str, str] = {}
    kind = args.get("kind", "")
    if kind and kind not in ACTION_LABELS:
        errors["kind"] = _("Choose a kind of change from the list.")
        kind = ""
    filters = Filters(
        person=_int(args, "person", errors),
        lead=_int(args, "lead", errors),
        kind=kind,
        since=_date(args, "since", errors),
        until=_date(args, "until", errors),
        page=max(1, min(_int(args, "page", {}) or 1, 10_000)),
        errors=errors,
    )
    if filters.since and filters.until and filters.until < filters.since:
        errors["until"] = _("The end of the period comes before its start.")
    return filters


def _start_of(day: date, workspace: Workspace) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(workspace.time_zone)).astimezone(UTC)


def statement(workspace: Workspace, filters: Filters) -> Select:
    query = scoped(AuditEvent).options(joinedload(AuditEvent.actor))
    if filters.person is not None:
        query = query.where(AuditEvent.actor_id == filters.person)
    if filters.lead is not None:
        query = query.where(
            AuditEvent.subject_type == "leads", AuditEvent.subject_id == filters.lead
        )
    if filters.kind:
        query = query.where(AuditEvent.action == filters.kind)
    if filters.since:
        query = query.where(AuditEvent.created_at >= _start_of(filters.since, workspace))
    if filters.until:
        end = _start_of(filters.until + timedelta(days=1), workspace)
        query = query.where(AuditEvent.created_at < end)
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def page_of(workspace: Workspace, filters: Filters) -> tuple[list[AuditEvent], bool]:
    """One page of events and whether another follows."""
    offset = (filters.page - 1) * PAGE_SIZE
    rows = db.session.scalars(
        statement(workspace, filters).offset(offset).limit(PAGE_SIZE + 1)
    ).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def people() -> list[tuple[int, str]]:
    """The workspace's members, for the person filter."""
    rows = db.session.execute(
        scoped(Membership)
        .join(User, User.id == Membership.user_id)
        .with_only_columns(User.id, User.name)
        .order_by(User.name)
    )
    return [(i, name) for i, name in rows.all()]


def leads_of(events: list[AuditEvent]) -> dict[int, Lead]:
    """The lead each event concerns, by event id: its subject, or a deadline's lead."""
    deadline_ids = {e.subject_id for e in events if e.subject_type == "deadlines"}
    lead_of_deadline = dict(
        db.session.execute(
            scoped(Deadline)
            .where(Deadline.id.in_(deadline_ids))
            .with_only_columns(Deadline.id, Deadline.lead_id)
        ).all()
        if deadline_ids
        else []
    )
    wanted = {
        e.id: e.subject_id if e.subject_type == "leads" else lead_of_deadline.get(e.subject_id)
        for e in events
        if e.subject_type in ("leads", "deadlines")
    }
    ids = {i for i in wanted.values() if i}
    rows = db.session.scalars(scoped(Lead).where(Lead.id.in_(ids))).all() if ids else []
    by_id = {lead.id: lead for lead in rows}
    return {event_id: by_id[i] for event_id, i in wanted.items() if i in by_id}
