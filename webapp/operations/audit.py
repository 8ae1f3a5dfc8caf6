"""Writing the audit trail (ALL-3): who did what to which row, before/after and why."""

from __future__ import annotations

from typing import Any

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
    if subject.id is None:
        db.session.flush()  # the subject needs its id
    # Otherwise the event waits for the next flush, where the events pending together go in
    # one multi-row INSERT (issue 17 item 3: an intake wrote four, one statement each). A
    # caller that needs the event's own id flushes (events.publish does).
    event = AuditEvent(
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


def changes_of(event: AuditEvent) -> dict[str, list[Any]]:
    """`{field: [before, after]}` of the fields `event` touched: an event names in `before`
    exactly the fields it changed (and `after` their new values, with any details)."""
    before, after = event.before or {}, event.after or {}
    return {k: [v, after.get(k)] for k, v in before.items() if v != after.get(k)}
