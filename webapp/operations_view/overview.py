"""What the operations view reads: deadlines due, late and fired; the outbox by state."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from webapp.delivery.labels import CHANNEL_LABELS
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Notification, NotificationState
from webapp.tenancy import current_workspace, scoped

LIST_LIMIT = 100
RETRYABLE = (NotificationState.FAILED, NotificationState.DEAD)

# Which deadline lists the view shows.
DEADLINE_VIEWS = {
    "all": _l("All deadlines"),
    "late": _l("Late"),
    "pending": _l("Upcoming"),
    "fired": _l("Fired recently"),
}


@dataclass(frozen=True)
class Filters:
    """The view's filters; values it does not know fall back to "everything"."""

    kind: str = ""
    show: str = "all"
    state: str = ""
    channel: str = ""

    @classmethod
    def from_args(cls, args: MultiDict) -> Filters:
        show = args.get("show", "all")
        state = args.get("state", "")
        channel = args.get("channel", "")
        return cls(
            kind=args.get("kind", "").strip()[:60],
            show=show if show in DEADLINE_VIEWS else "all",
            state=state if state in {s.value for s in RETRYABLE} else "",
            channel=channel if channel in CHANNEL_LABELS else "",
        )

    def shows(self, view: str) -> bool:
        return self.show in ("all", view)


def _deadlines(filters: Filters):
    statement = scoped(Deadline).options(joinedload(Deadline.lead))
    return statement.where(Deadline.kind == filters.kind) if filters.kind else statement


def late_deadlines(filters: Filters, moment: datetime) -> list[Deadline]:
    """Pending and already due: the sweep should have fired them."""
    return db.session.scalars(
        _deadlines(filters)
        .where(Deadline.state == DeadlineState.PENDING, Deadline.due_at <= moment)
        .order_by(Deadline.due_at, Deadline.id)
        .limit(LIST_LIMIT)
    ).all()


def upcoming_deadlines(filters: Filters, moment: datetime) -> list[Deadline]:
    return db.session.scalars(
        _deadlines(filters)
        .where(Deadline.state == DeadlineState.PENDING, Deadline.due_at > moment)
        .order_by(Deadline.due_at, Deadline.id)
        .limit(LIST_LIMIT)
    ).all()


def fired_deadlines(filters: Filters) -> list[Deadline]:
    """The latest deadlines to fire, by due time."""
    # A deadline fires at its due time (or at the next sweep): due_at orders them as fired_at
    # would, and ix_deadlines_due serves it (sorting by fired_at read every fired row).
    return db.session.scalars(
        _deadlines(filters)
        .where(Deadline.state == DeadlineState.FIRED)
        .order_by(Deadline.due_at.desc(), Deadline.id.desc())
        .limit(LIST_LIMIT)
    ).all()


def pending_counts(filters: Filters, moment: datetime) -> tuple[int, int]:
    """(late, upcoming): the lists stop at LIST_LIMIT rows, the headings tell the whole."""
    statement = select(
        func.count(case((Deadline.due_at <= moment, 1))),
        func.count(case((Deadline.due_at > moment, 1))),
    ).where(
        Deadline.workspace_id == current_workspace().id, Deadline.state == DeadlineState.PENDING
    )
    if filters.kind:
        statement = statement.where(Deadline.kind == filters.kind)
    late, upcoming = db.session.execute(statement).one()
    return late, upcoming


def deadline_kinds() -> list[str]:
    """The kinds of deadline this workspace has, for the filter."""
    return list(
        db.session.scalars(
            select(Deadline.kind)
            .distinct()
            .where(Deadline.workspace_id == current_workspace().id)
            .order_by(Deadline.kind)
        )
    )


def outbox_counts() -> dict[str, dict[NotificationState, int]]:
    """Messages per channel and state: {"email": {NotificationState.SENT: 12, ...}, ...}."""
    rows = db.session.execute(
        select(Notification.channel, Notification.state, func.count())
        .where(Notification.workspace_id == current_workspace().id)
        .group_by(Notification.channel, Notification.state)
    )
    counts: dict[str, dict[NotificationState, int]] = defaultdict(dict)
    for channel, state, count in rows:
        counts[channel][NotificationState(state)] = count
    return dict(counts)


def undelivered_messages(filters: Filters) -> list[Notification]:
    """Failed (to be retried) and dead (given up) messages, most recently touched first."""
    states = [NotificationState(filters.state)] if filters.state else list(RETRYABLE)
    statement = (
        scoped(Notification)
        .options(joinedload(Notification.recipient))
        .where(Notification.state.in_(states))
    )
    if filters.channel:
        statement = statement.where(Notification.channel == filters.channel)
    return db.session.scalars(
        statement.order_by(Notification.updated_at.desc(), Notification.id.desc()).limit(LIST_LIMIT)
    ).all()
