"""The one log line and the metrics of each fire and each delivery, said after it committed."""

from __future__ import annotations

import logging
from datetime import datetime

from webapp import job_names
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Workspace
from webapp.ops import metrics

log = logging.getLogger("leadline.clocks")


def workspace_slug(workspace_id: int | None) -> str | None:
    """The slug for log lines (the identity map usually has the row already)."""
    if workspace_id is None:
        return None
    workspace = db.session.get(Workspace, workspace_id)
    return workspace.slug if workspace is not None else None


def deadline_fired(deadline_id: int, workspace_id: int, kind: str, due_at: datetime) -> None:
    metrics.deadline_fired(due_at)
    log.info(
        "deadline fired",
        extra={
            "workspace": workspace_slug(workspace_id),
            "what": job_names.DEADLINE_FIRE,
            "deadline_id": deadline_id,
            "kind": kind,
            "outcome": "fired",
            "lateness_seconds": round((now() - due_at).total_seconds(), 3),
        },
    )


def delivery_done(
    notification_id: int,
    workspace_id: int,
    channel: str,
    outcome: str,
    *,
    written_at: datetime | None,
    attempts: int,
    error: str | None = None,
) -> None:
    """`outcome`: sent, failed (retried later) or dead. `error` is the sender's own message
    (an HTTP status, an SMTP reply), never the message body."""
    metrics.delivery_done(channel, outcome, written_at)
    level = logging.INFO if outcome == "sent" else logging.WARNING
    log.log(
        level,
        "notification delivery",
        extra={
            "workspace": workspace_slug(workspace_id),
            "what": job_names.NOTIFICATION_DELIVER,
            "notification_id": notification_id,
            "channel": channel,
            "outcome": outcome,
            "attempts": attempts,
            **({"reason": error[:300]} if error else {}),
        },
    )
