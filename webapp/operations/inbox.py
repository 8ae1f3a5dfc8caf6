"""Read marks on a member's in-app notifications (the bell)."""

from __future__ import annotations

from sqlalchemy import update

from webapp.channels import IN_APP
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import BELLS
from webapp.models import Notification, User, Workspace
from webapp.tenancy import owned_by

from . import audit
from .unit import operation


@operation
def mark_read(workspace: Workspace, reader: User, notification: Notification | None = None) -> int:
    """Mark `notification` (or all of the reader's unread in-app messages) read; how many."""
    statement = update(Notification).where(
        owned_by(Notification, workspace),
        Notification.recipient_user_id == reader.id,
        Notification.channel == IN_APP,
        Notification.read_at.is_(None),
    )
    if notification is not None:
        statement = statement.where(Notification.id == notification.id)
    result = db.session.execute(
        statement.values(read_at=now()).execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        return 0
    subject = notification if notification is not None else reader
    audit.record(
        workspace.id, "notification.read", subject, actor=reader, after={"read": result.rowcount}
    )
    BELLS.bump_after_commit(workspace.id, (reader.id,))
    return result.rowcount
