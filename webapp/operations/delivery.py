"""Delivering outbox rows: claim, send, record; retries with backoff, then the dead letter."""

from __future__ import annotations

import uuid
from datetime import timedelta

from rq.timeouts import JobTimeoutException
from sqlalchemy import and_, or_, select, update

from webapp import job_names, redis_client
from webapp.channels import IN_APP
from webapp.channels import senders as channel_senders
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
from .unit import after_commit_batched, operation

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
# A row claimed longer ago than this was lost with its worker; the sweep retries it.
SENDING_TIMEOUT = timedelta(minutes=5)
# The sweep leaves fresh rows to the job enqueued with them.
SWEEP_GRACE = timedelta(seconds=60)
# Which batch job carries a row's attempt (`<prefix><id>` → `<attempts>:<job id>`), so that the
# sweep leaves a row whose batch is still waiting or running alone, and frees at once the
# claim of one whose batch died with its worker. Deleted by the batch when it ends; the time to
# live only bounds what a killed batch leaves behind (after it the sweep treats the row as
# lost, and the claim keeps that from sending it twice).
BATCH_KEY_PREFIX = "leadline:notification-batch:"
BATCH_KEY_TTL_SECONDS = 24 * 3600
# A transaction writing more messages than this (a bulk action) gets several batches: a batch
# is one RQ job, whose timeout must cover each of its messages' sends.
BATCH_SIZE = 50
BATCH_SECONDS_PER_MESSAGE = 12  # an HTTP connect plus an answer, each within 5 s, and margin


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling after each failed attempt, at most an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS))


def enqueue_after_commit(notification: Notification) -> None:
    """Enqueue the delivery once the row is committed (at its next attempt, if later).

    The messages of one transaction (a deadline's fire tells three people) go out in one
    batch job, enqueued once after the commit: one RQ job and one warm connection per
    endpoint instead of one job each (issue 17 item 2)."""
    after_commit_batched(
        "notifications",
        (notification.id, notification.attempts or 0, notification.next_attempt_at),
        _enqueue_all,
    )


def _enqueue_all(rows: list[tuple[int, int, object]]) -> None:
    due = [(notification_id, attempts) for notification_id, attempts, at in rows if not _later(at)]
    for notification_id, attempts, at in rows:
        if _later(at):
            _enqueue(notification_id, attempts, at)  # RQ's scheduler releases it when due
    if len(due) == 1:
        _enqueue(*due[0])  # a batch of one is the single job the sweep and retries use
        return
    for start in range(0, len(due), BATCH_SIZE):
        _enqueue_batch(due[start : start + BATCH_SIZE])


def _later(at) -> bool:
    return bool(at and at > now())


def _batch_key(notification_id: int) -> str:
    return f"{BATCH_KEY_PREFIX}{notification_id}"


def _enqueue_batch(rows: list[tuple[int, int]]) -> None:
    """One `notification.deliver_batch` job for `rows` (id, attempts), each row noted as
    carried by it first, so that the batch's own clean-up can never precede the note."""
    job_id = f"notification-batch-{uuid.uuid4().hex}"
    with redis_client.redis().pipeline(transaction=False) as pipeline:
        for notification_id, attempts in rows:
            pipeline.set(
                _batch_key(notification_id), f"{attempts}:{job_id}", ex=BATCH_KEY_TTL_SECONDS
            )
        pipeline.execute()
    redis_client.enqueue(
        "notify",
        job_names.NOTIFICATION_DELIVER_BATCH,
        *[notification_id for notification_id, _ in rows],
        job_id=job_id,
        timeout=max(180, BATCH_SECONDS_PER_MESSAGE * len(rows)),
    )


def _batches_of(rows: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The batch job noted as carrying each (id, attempts) in `rows`, where one is."""
    if not rows:
        return {}
    found = redis_client.redis().mget([_batch_key(notification_id) for notification_id, _ in rows])
    batches = {}
    for row, value in zip(rows, found, strict=True):
        attempts, _, job_id = (redis_client.as_text(value) or "").partition(":")
        if job_id and attempts == str(row[1]):
            batches[row] = job_id
    return batches


def _forget_batch(job_id: str, notification_ids: list[int]) -> None:
    """Delete the notes that this batch carries these rows (not a later batch's notes)."""
    keys = [_batch_key(notification_id) for notification_id in notification_ids]
    connection = redis_client.redis()
    ours = [
        key
        for key, value in zip(keys, connection.mget(keys), strict=True)
        if (redis_client.as_text(value) or "").partition(":")[2] == job_id
    ]
    if ours:
        connection.delete(*ours)


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


def deliver_batch(notification_ids: list[int], job_id: str | None = None) -> list[str | None]:
    """Deliver each row in turn, as `deliver` would, over connections kept open between them.

    Each row is still claimed on its own (a row sent meanwhile, by a retry or the sweep's
    job, is skipped) and fails, backs off and dead-letters on its own. An unexpected error in
    one row does not keep the others back: it is raised once all were tried, so the job ends
    failed and the sweep frees at once the claim that row was left holding. `job_id`: the
    RQ job running it, whose notes are deleted at the end."""
    states, error = [], None
    with channel_senders.connections():
        for notification_id in notification_ids:
            try:
                states.append(deliver(notification_id))
            except JobTimeoutException:
                raise  # RQ ends the job: the sweep frees its claim and enqueues the rest
            except Exception as exc:  # raised below, after the others
                db.session.rollback()
                states.append(None)
                error = error or exc
    if job_id is not None:
        _forget_batch(job_id, notification_ids)
    if error is not None:
        raise error
    return states


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

    A row whose job is really under way (its own job or the batch carrying it, waiting in its
    queue or scheduled, or started by a live worker) is left to it: enqueuing it again at every
    sweep multiplied the backlog. Returns how many it enqueued.
    """
    cutoff = now() - SWEEP_GRACE
    rows = [
        (row.id, row.attempts)
        for row in db.session.execute(
            select(Notification.id, Notification.attempts).where(
                Notification.state.in_([S.PENDING, S.FAILED, S.SENDING]),
                Notification.next_attempt_at <= cutoff,
            )
        )
    ]
    jobs = _jobs_of(rows)
    under_way = redis_client.jobs_under_way("notify", {j for js in jobs.values() for j in js})
    lost = [row for row in rows if not under_way.intersection(jobs[row])]
    lost += _abandoned_claims(cutoff, {row for row in lost})
    for notification_id, attempts in lost:
        _enqueue(notification_id, attempts)
    return len(lost)


def _jobs_of(rows: list[tuple[int, int]]) -> dict[tuple[int, int], list[str]]:
    """The jobs that may carry each (id, attempts): its own, and the batch noted for it."""
    batches = _batches_of(rows)
    return {row: [_job_id(*row), *([batches[row]] if row in batches else [])] for row in rows}


def _abandoned_claims(cutoff, already: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Rows still `sending` under their claim whose claiming job stopped: a worker killed
    mid-send. Their claim is ended now (a compare-and-set on the attempt, so a send that did
    commit meanwhile is left alone) instead of making the message wait out SENDING_TIMEOUT.

    When that job was a batch, the rows after it in the batch, never claimed, are enqueued at
    once too, rather than after SWEEP_GRACE. `already`: rows enqueued by the caller."""
    claimed = db.session.execute(
        select(Notification.id, Notification.attempts).where(
            Notification.state == S.SENDING, Notification.next_attempt_at > cutoff
        )
    ).all()
    # The claim counted the attempt: the job that made it was enqueued one attempt earlier.
    jobs = _jobs_of([(row.id, row.attempts - 1) for row in claimed])
    # Freed by an earlier sweep, whose job for the next attempt is waiting: left to that job.
    retrying = redis_client.jobs_under_way("notify", [_job_id(*row) for row in claimed])
    freed, dead_batches = [], set()
    for notification_id, attempts in claimed:
        if _job_id(notification_id, attempts) in retrying:
            continue
        candidates = jobs[(notification_id, attempts - 1)]
        dead = [job_id for job_id in candidates if redis_client.job_abandoned(job_id)]
        if not dead:
            continue
        # Its own job and a batch both carried it: the one still under way may be sending it.
        if len(dead) < len(candidates) and redis_client.jobs_under_way("notify", candidates):
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
            dead_batches.update(job_id for job_id in dead if job_id != candidates[0])
    db.session.commit()
    return freed + _rest_of_batches(dead_batches, already | set(freed))


def _rest_of_batches(job_ids: set[str], already: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """The due, unclaimed rows of dead batch jobs whose own job is not under way."""
    ids = {int(i) for job_id in job_ids for i in redis_client.job_args(job_id)[1:]}
    if not ids:
        return []
    rows = [
        (row.id, row.attempts)
        for row in db.session.execute(
            select(Notification.id, Notification.attempts).where(
                Notification.id.in_(ids),
                Notification.state.in_([S.PENDING, S.FAILED]),
                or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now()),
            )
        )
        if (row.id, row.attempts) not in already
    ]
    under_way = redis_client.jobs_under_way("notify", [_job_id(*row) for row in rows])
    return [row for row in rows if _job_id(*row) not in under_way]


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
