"""Delivering outbox rows: claim, send, record; retries with backoff, then the dead letter."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from webapp import job_names, redis_client
from webapp.channels import IN_APP
from webapp.channels.messages import lead_link, render_message
from webapp.channels.senders import SENDERS, Outgoing, SendError
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import BELLS
from webapp.models import ChannelSettings, Notification, User, Workspace
from webapp.models import NotificationState as S
from webapp.ops import events as ops_events
from webapp.tenancy import scoped

from . import audit
from .unit import after_commit, operation

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
# A row claimed longer ago than this was lost with its worker; the sweep retries it.
SENDING_TIMEOUT = timedelta(minutes=5)
# The sweep leaves fresh rows to the job enqueued with them.
SWEEP_GRACE = timedelta(seconds=60)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling after each failed attempt, at most an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS))


def enqueue_after_commit(notification: Notification) -> None:
    """Enqueue the delivery job once the row is committed (at its next attempt, if later)."""
    notification_id, attempts = notification.id, notification.attempts or 0
    at = notification.next_attempt_at
    after_commit(lambda: _enqueue(notification_id, attempts, at))


def _job_id(notification_id: int, attempts: int) -> str:
    # One id per attempt, so the sweep can tell a row whose next attempt is already queued.
    return f"notification-{notification_id}-{attempts}"


def _enqueue(notification_id: int, attempts: int, at=None) -> None:
    redis_client.enqueue(
        "notify",
        job_names.NOTIFICATION_DELIVER,
        notification_id,
        at=at if at and at > now() else None,
        job_id=_job_id(notification_id, attempts),
    )


def _claim(notification_id: int) -> bool:
    """Compare-and-set a due pending/failed row (or a stale sending one) to sending."""
    moment = now()
    due = or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= moment)
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            or_(
                and_(Notification.state.in_([S.PENDING, S.FAILED]), due),
                and_(Notification.state == S.SENDING, Notification.next_attempt_at <= moment),
            ),
        )
        .values(
            state=S.SENDING,
            attempts=Notification.attempts + 1,
            next_attempt_at=moment + SENDING_TIMEOUT,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _outgoing(row: Notification) -> Outgoing:
    workspace = db.session.get(Workspace, row.workspace_id)
    recipient = db.session.get(User, row.recipient_user_id) if row.recipient_user_id else None
    locale = (recipient.preferred_locale if recipient else None) or row.locale or "en"
    message = render_message(
        row.template, row.payload or {}, locale, lead_link(workspace.slug, row.payload or {})
    )
    settings = db.session.scalar(
        scoped(ChannelSettings, row.workspace_id).where(ChannelSettings.channel == row.channel)
    )
    return Outgoing(row.recipient_address, message, settings, group=row.recipient_group)


def deliver(notification_id: int) -> str | None:
    """Send the row if it is due and not sent; returns its state afterwards (None: skipped)."""
    if not _claim(notification_id):
        return None
    row = db.session.get(Notification, notification_id)
    try:
        sender = SENDERS.get(row.channel)
        if sender is None:
            raise SendError(f"unknown channel {row.channel!r}")
        sender(_outgoing(row))
    except SendError as error:
        return _failed(row, str(error))
    row.state, row.sent_at, row.next_attempt_at, row.last_error = S.SENT, now(), None, None
    db.session.commit()
    _said(row, None)
    if row.channel == IN_APP:
        BELLS.bump(row.workspace_id, row.recipient_user_id)  # the bell shows it now
    return row.state.value


def _failed(row: Notification, error: str) -> str:
    row.last_error = error[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        row.state, row.next_attempt_at = S.DEAD, None
    else:
        row.state, row.next_attempt_at = S.FAILED, now() + backoff(row.attempts)
    db.session.commit()
    _said(row, error)
    if row.state == S.FAILED:
        _enqueue(row.id, row.attempts, row.next_attempt_at)
    return row.state.value


def _said(row: Notification, error: str | None) -> None:
    """The delivery's log line and metrics, once its outcome is committed."""
    ops_events.delivery_done(
        row.id,
        row.workspace_id,
        row.channel,
        row.state.value,
        written_at=row.created_at,
        attempts=row.attempts,
        error=error,
    )


def enqueue_due() -> int:
    """Re-enqueue rows whose job was lost: due pending/failed ones, stale sending ones, and
    sending ones whose claiming job is known to have stopped (its worker was killed).

    A row whose job is really under way (waiting in its queue or scheduled, or started by a
    live worker) is left to it: enqueuing it again at every sweep multiplied the backlog.
    Returns how many it enqueued.
    """
    cutoff = now() - SWEEP_GRACE
    rows = db.session.execute(
        select(Notification.id, Notification.attempts).where(
            Notification.state.in_([S.PENDING, S.FAILED, S.SENDING]),
            Notification.next_attempt_at <= cutoff,
        )
    ).all()
    under_way = redis_client.jobs_under_way("notify", (_job_id(*row) for row in rows))
    lost = [(row.id, row.attempts) for row in rows if _job_id(*row) not in under_way]
    lost += _abandoned_claims(cutoff)
    for notification_id, attempts in lost:
        _enqueue(notification_id, attempts)
    return len(lost)


def _abandoned_claims(cutoff) -> list[tuple[int, int]]:
    """Rows still `sending` under their claim whose claiming job stopped: a worker killed
    mid-send. Their claim is ended now (a compare-and-set on the attempt, so a send that did
    commit meanwhile is left alone) instead of making the message wait out SENDING_TIMEOUT."""
    claimed = db.session.execute(
        select(Notification.id, Notification.attempts).where(
            Notification.state == S.SENDING, Notification.next_attempt_at > cutoff
        )
    ).all()
    freed = []
    for notification_id, attempts in claimed:
        # The claim counted the attempt: the job that made it was enqueued one attempt earlier.
        if not redis_client.job_abandoned(_job_id(notification_id, attempts - 1)):
            continue
        result = db.session.execute(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.state == S.SENDING,
                Notification.attempts == attempts,
            )
            .values(next_attempt_at=now())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            freed.append((notification_id, attempts))
    db.session.commit()
    return freed


@operation
def retry(notification: Notification, *, actor: User | None) -> None:
    """Give a failed or dead row a fresh set of attempts, starting now."""
    if notification.state not in (S.FAILED, S.DEAD):
        return
    before = {"state": notification.state.value, "attempts": notification.attempts}
    notification.state, notification.attempts, notification.next_attempt_at = S.PENDING, 0, now()
    audit.record(
        notification.workspace_id, "notification.retried", notification, actor=actor, before=before
    )
    enqueue_after_commit(notification)
