"""What the operations view reads: deadlines due, late and fired; the outbox by state."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from webapp.channels.labels import CHANNEL_LABELS
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Notification, NotificationState
from webapp.tenancy import current_workspace, owned_by, scoped

LIST_LIMIT = 100
MESSAGES_PER_PAGE = 25
GROUP_LIMIT = 50
ERROR_LIMIT = 2000  # as much of an error as a notification keeps
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
    error: str = ""  # one failure group's error text: the messages that failed with it

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
            error=args.get("error", "")[:ERROR_LIMIT],
        )

    def query_args(self, **changes: object) -> dict[str, object]:
        """These filters as URL arguments (the empty ones left out), with `changes`."""
        values = {
            "kind": self.kind,
            "show": "" if self.show == "all" else self.show,
            "state": self.state,
            "channel": self.channel,
            "error": self.error,
            **changes,
        }
        return {name: value for name, value in values.items() if value}

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
    ).where(owned_by(Deadline, current_workspace()), Deadline.state == DeadlineState.PENDING)
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
            .where(owned_by(Deadline, current_workspace()))
            .order_by(Deadline.kind)
        )
    )


def outbox_counts() -> dict[str, dict[NotificationState, int]]:
    """Messages per channel and state: {"email": {NotificationState.SENT: 12, ...}, ...}."""
    rows = db.session.execute(
        select(Notification.channel, Notification.state, func.count())
        .where(owned_by(Notification, current_workspace()))
        .group_by(Notification.channel, Notification.state)
    )
    counts: dict[str, dict[NotificationState, int]] = defaultdict(dict)
    for channel, state, count in rows:
        counts[channel][NotificationState(state)] = count
    return dict(counts)


def _undelivered(filters: Filters, statement):
    states = [NotificationState(filters.state)] if filters.state else list(RETRYABLE)
    statement = statement.where(
        owned_by(Notification, current_workspace()), Notification.state.in_(states)
    )
    if filters.channel:
        statement = statement.where(Notification.channel == filters.channel)
    if filters.error:
        statement = statement.where(Notification.last_error == filters.error)
    return statement


@dataclass(frozen=True)
class FailureGroup:
    """The failed and dead messages of one channel that failed with the same error."""

    channel: str
    error: str | None
    failed: int
    dead: int

    @property
    def total(self) -> int:
        return self.failed + self.dead


def failure_groups(filters: Filters) -> list[FailureGroup]:
    """Failed and dead messages grouped by channel and error, the largest groups first: one
    channel not set up is one line with its count, not a wall of identical rows."""
    rows = db.session.execute(
        _undelivered(
            filters,
            select(
                Notification.channel,
                Notification.last_error,
                func.count(case((Notification.state == NotificationState.FAILED, 1))),
                func.count(case((Notification.state == NotificationState.DEAD, 1))),
            ),
        )
        .group_by(Notification.channel, Notification.last_error)
        .order_by(func.count().desc(), Notification.channel)
        .limit(GROUP_LIMIT)
    )
    return [FailureGroup(*row) for row in rows]


def undelivered_count(filters: Filters) -> int:
    return db.session.scalar(_undelivered(filters, select(func.count(Notification.id)))) or 0


def undelivered_messages(filters: Filters, page: int = 1) -> list[Notification]:
    """Failed (to be retried) and dead (given up) messages, most recently touched first, one
    page of MESSAGES_PER_PAGE."""
    statement = _undelivered(
        filters, scoped(Notification).options(joinedload(Notification.recipient))
    )
    return db.session.scalars(
        statement.order_by(Notification.updated_at.desc(), Notification.id.desc())
        .limit(MESSAGES_PER_PAGE)
        .offset((page - 1) * MESSAGES_PER_PAGE)
    ).all()
