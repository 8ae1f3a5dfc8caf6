"""The bell in the top bar and the notifications page of a workspace member."""

from __future__ import annotations

from flask import Flask, abort, g, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.htmx_answers import redirect_or_fragment, trigger, unchanged
from webapp.live_versions import BELLS
from webapp.models import Notification
from webapp.operations import inbox
from webapp.rendering import render
from webapp.tenancy import get_or_404

from . import queries
from .blueprint import bp

PANEL_SIZE = 8
PAGE_SIZE = 20
# Tells the bell's badge and panel (and the page's list) to refresh themselves.
CHANGED_EVENT = "inbox-changed"


def bell_state() -> dict:
    """What the top bar's bell shows: the poll's version and the unread count."""
    # The version is read before counting: a change in between shows up on the next poll.
    version = str(BELLS.current(g.workspace.id, current_user.id))
    return {"version": version, "count": queries.unread_count(g.workspace, current_user)}


@bp.get("/bell")
def bell() -> Response:
    """The unread badge; a poll carrying the version it shows gets 204 while nothing changed."""
    if request.args.get("v") == str(BELLS.current(g.workspace.id, current_user.id)):
        return unchanged()
    return render("inbox/_badge.html", **bell_state())


@bp.get("/panel")
def panel() -> Response:
    """The bell's dropdown: the latest in-app notifications."""
    items = queries.latest(g.workspace, current_user, PANEL_SIZE)
    return render("inbox/_panel.html", items=items)


@bp.get("/")
def index() -> Response:
    """All my in-app notifications, newest first, a page at a time."""
    total = queries.total_count(g.workspace, current_user)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    items = queries.latest(g.workspace, current_user, PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        "inbox/notifications.html",
        "inbox_list",
        items=items,
        total=total,
        page=page,
        pages=pages,
        unread=queries.unread_count(g.workspace, current_user),
    )


@bp.post("/read")
def mark_all_read() -> Response:
    """Mark every unread notification of mine read."""
    inbox.mark_read(g.workspace, current_user._get_current_object())
    return _changed()


@bp.post("/<int:notification_id>/read")
def mark_one_read(notification_id: int) -> Response:
    """Mark one notification of mine read; someone else's does not exist for me."""
    notification = get_or_404(Notification, notification_id)
    if notification.recipient_user_id != current_user.id:
        abort(404)
    inbox.mark_read(g.workspace, current_user._get_current_object(), notification)
    return _changed()


def _changed() -> Response:
    to = url_for("inbox.index", page=request.form.get("page", type=int))
    return redirect_or_fragment(to, lambda: trigger(CHANGED_EVENT))


def init_app(app: Flask) -> None:
    """Let the base layout ask for the bell's state (only pages inside a workspace do)."""
    app.jinja_env.globals["bell_state"] = bell_state
