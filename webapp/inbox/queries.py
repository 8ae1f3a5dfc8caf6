"""What the bell and the notifications page read: a member's delivered in-app messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import get_locale
from sqlalchemy import Select, func, select

from webapp.channels import IN_APP
from webapp.channels.messages import render_message
from webapp.extensions import db
from webapp.models import Notification, NotificationState, User, Workspace
from webapp.tenancy import scoped


@dataclass(frozen=True)
class InboxItem:
    """One notification as the bell shows it, in the reader's language."""

    id: int
    subject: str
    body: str
    lead_url: str | None
    at: datetime
    unread: bool


def inbox_of(workspace: Workspace, user: User) -> Select:
    """The user's delivered in-app notifications in this workspace (never anyone else's)."""
    return scoped(Notification, workspace).where(
        Notification.recipient_user_id == user.id,
        Notification.channel == IN_APP,
        Notification.state == NotificationState.SENT,
    )


def unread_count(workspace: Workspace, user: User) -> int:
    unread = inbox_of(workspace, user).where(Notification.read_at.is_(None))
    return db.session.scalar(select(func.count()).select_from(unread.subquery())) or 0


def total_count(workspace: Workspace, user: User) -> int:
    everything = inbox_of(workspace, user)
    return db.session.scalar(select(func.count()).select_from(everything.subquery())) or 0


def latest(workspace: Workspace, user: User, limit: int, offset: int = 0) -> list[InboxItem]:
    """Newest first, rendered in the request's locale (the user's own when they chose one)."""
    rows = db.session.scalars(
        inbox_of(workspace, user).order_by(Notification.id.desc()).limit(limit).offset(offset)
    ).all()
    locale = str(get_locale() or "en")
    return [_item(row, locale) for row in rows]


def _in_app_link(link: object) -> str | None:
    """A message's own link to a workspace page (a scheduled report's dashboard), relative."""
    if not isinstance(link, str):
        return None
    parts = urlsplit(link)
    if not parts.path.startswith("/w/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _item(row: Notification, locale: str) -> InboxItem:
    payload = row.payload or {}
    # The absolute link is for e-mails; in the app a relative one keeps the user on this host.
    message = render_message(row.template, payload, locale, None)
    lead_id = payload.get("lead_id")
    return InboxItem(
        id=row.id,
        subject=message.subject,
        body=message.text,
        lead_url=(
            url_for("workspace.lead", lead_id=lead_id)
            if isinstance(lead_id, int)
            else _in_app_link(payload.get("link"))
        ),
        at=row.sent_at or row.created_at,
        unread=row.read_at is None,
    )
