"""Writing the audit trail (ALL-3): who did what to which row, before/after and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from webapp.clock import now
from webapp.extensions import db
from webapp.models import AuditEvent, User


def record(
    workspace_id: int,
    action: str,
    subject: Any,
    *,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append an audit event for `subject` (a model instance) inside the current operation."""
    if getattr(subject, "id", None) is None:
        db.session.flush()  # the subject needs its id
    # Not flushed here otherwise: the session writes the events it holds together at its next
    # flush, one multi-row INSERT where the dialect can (a fire records three, an intake four;
    # each flush of its own cost a round trip and the ORM's bookkeeping). Stamped now, not at
    # that flush. A caller that needs the event's own id flushes (events.publish does).
    event = AuditEvent(
        created_at=now(),
        workspace_id=workspace_id,
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,
        before=before,
        after=after,
        reason=reason,
    )
    db.session.add(event)
    return event


def add_many(events: list[dict[str, Any]]) -> None:
    """Append many audit events (AuditEvent's columns, `created_at` given) in one INSERT
    per chunk: a batch of fired deadlines writes its trail in one round trip, not one each."""
    for start in range(0, len(events), _ROWS_PER_INSERT):
        db.session.execute(insert(AuditEvent).values(events[start : start + _ROWS_PER_INSERT]))


# Well under SQLite's 32,766 bound parameters per statement (nine columns a row).
_ROWS_PER_INSERT = 500


def changes_of(event: AuditEvent) -> dict[str, list[Any]]:
    """`{field: [before, after]}` of the fields `event` touched: an event names in `before`
    exactly the fields it changed (and `after` their new values, with any details)."""
    before, after = event.before or {}, event.after or {}
    return {k: [v, after.get(k)] for k, v in before.items() if v != after.get(k)}
