"""Operations: deadlines that are due, late or just fired, and the outbox with its failures."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.channels.labels import CHANNEL_LABELS, MESSAGE_STATE_LABELS
from webapp.clock import now
from webapp.models import Notification, Role
from webapp.operations import delivery
from webapp.rendering import render, wants_fragment
from webapp.tenancy import get_or_404, requires_role

from . import queries
from .blueprint import bp

READERS = (Role.ADMIN, Role.DIRECTOR)
# Retrying sends messages again: the same people who may retry under Settings → Deliveries.
RETRIERS = (Role.ADMIN,)


@bp.get("/")
@requires_role(*READERS)
def index() -> Response:
    """Pending, late and fired deadlines; outbox counts; failed and dead messages."""
    filters = queries.Filters.from_args(request.args)
    moment = now()
    undelivered = queries.undelivered_count(filters)
    pages = max(1, -(-undelivered // queries.MESSAGES_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    messages = dict(
        groups=queries.failure_groups(filters),
        messages=queries.undelivered_messages(filters, page),
        undelivered=undelivered,
        page=page,
        pages=pages,
        channel_labels=CHANNEL_LABELS,
        filters=filters,
        may_retry=g.membership.role in RETRIERS,
        retryable=queries.RETRYABLE,
    )
    if wants_fragment():  # a page of the failed messages (the pager's htmx request)
        return render("console/index.html", block="undelivered_messages", **messages)
    late_count, upcoming_count = queries.pending_counts(filters, moment)
    return render(
        "console/index.html",
        **messages,
        moment=moment,
        late=queries.late_deadlines(filters, moment) if filters.shows("late") else [],
        upcoming=queries.upcoming_deadlines(filters, moment) if filters.shows("pending") else [],
        fired=queries.fired_deadlines(filters) if filters.shows("fired") else [],
        late_count=late_count,
        upcoming_count=upcoming_count,
        kinds=queries.deadline_kinds(),
        counts=queries.outbox_counts(),
        state_labels=MESSAGE_STATE_LABELS,
        deadline_views=queries.DEADLINE_VIEWS,
        limit=queries.LIST_LIMIT,
    )


@bp.post("/messages/<int:notification_id>/retry")
@requires_role(*RETRIERS)
def retry_message(notification_id: int) -> Response:
    """Send a failed or dead message again, through the delivery log's own retry."""
    notification = get_or_404(Notification, notification_id)
    if notification.state in queries.RETRYABLE:
        delivery.retry(notification, actor=current_user._get_current_object())
        flash(_("The message will be sent again."), "success")
    else:
        flash(_("This message is not waiting for a retry."))
    return redirect(url_for("console.index"))
