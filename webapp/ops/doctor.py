"""`leadline doctor`: what an operator checks first when something is wrong, one line each.

OK: as it should be. WARN: works, but deserves a look (a generated secret key, dead letters).
FAIL: something is broken or unsafe; the command exits non-zero so scripts can act on it.
"""

from __future__ import annotations

import os
import smtplib
import socket
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select

from webapp.clock import now
from webapp.config import SmtpSettings
from webapp.extensions import db
from webapp.models import ChannelSettings, Deadline, DeadlineState, Notification, NotificationState
from webapp.ops import checks
from webapp.ops.checks import FAIL, OK, TIMEOUT_SECONDS, WARN, Check

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def sweep_interval() -> timedelta:
    # The worker's setting (workers.worker reads the same variable).
    return timedelta(seconds=int(os.environ.get("LEADLINE_SWEEP_SECONDS") or 30))


def run_all() -> list[Check]:
    database, schema = checks.database(), checks.migrations()
    found = [*configuration(), database, schema, checks.redis(), checks.workers()]
    if database.ok and schema.ok:  # the tables below exist as this code knows them
        found += [overdue_deadlines(), dead_letters(), *channels()]
    found.append(smtp())
    return found


def configuration() -> Iterator[Check]:
    config = current_app.config
    base_url = config.get("LEADLINE_BASE_URL", "")
    https = base_url.startswith("https://")
    host = urlsplit(base_url).hostname or ""
    local = host in LOOPBACK_HOSTS
    if os.environ.get("SECRET_KEY"):
        yield Check("secret key", OK, "SECRET_KEY is set")
    elif local:
        yield Check("secret key", WARN, "generated into the instance folder (fine on one machine)")
    else:
        yield Check(
            "secret key",
            FAIL,
            "not set for a public address: set SECRET_KEY, the same on every web process",
        )
    secure = bool(config.get("SESSION_COOKIE_SECURE"))
    if https and not secure:
        yield Check("cookies", FAIL, "served over HTTPS but cookies are not marked Secure")
    elif not https and not local:
        yield Check("cookies", WARN, f"{host} is served over plain HTTP: sign-ins travel in clear")
    else:
        yield Check("cookies", OK, "Secure" if secure else "local address, plain HTTP")


def smtp() -> Check:
    """Connect, greet and (with credentials) log in: the way the e-mail sender will."""
    settings: SmtpSettings = current_app.config["LEADLINE_SMTP"]
    configured = bool(os.environ.get("SMTP_HOST"))
    where = f"{settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as client:
            client.ehlo()
            if settings.use_tls:
                client.starttls()
                client.ehlo()
            if settings.username:
                client.login(settings.username, settings.password or "")
    except smtplib.SMTPAuthenticationError:
        return Check("smtp", FAIL, f"{where} refused the SMTP_USERNAME/SMTP_PASSWORD")
    except (OSError, smtplib.SMTPException) as error:
        state = FAIL if configured else WARN
        return Check("smtp", state, f"{where} unreachable ({type(error).__name__}): no e-mail")
    return Check("smtp", OK, where + (" (signed in)" if settings.username else ""))


def channels() -> list[Check]:
    """The WhatsApp and Telegram endpoints workspaces have set up answer a connection; a
    channel switched on without a token can send nothing. (Tokens are never printed.)"""
    from webapp.channels.senders import DEFAULT_BASE_URLS

    rows = db.session.execute(
        select(ChannelSettings.channel, ChannelSettings.base_url, ChannelSettings.token).where(
            ChannelSettings.enabled.is_(True)
        )
    ).all()
    found: list[Check] = []
    missing = sum(1 for row in rows if not row.token)
    if missing:
        found.append(Check("channels", WARN, f"{missing} enabled channel(s) without a token"))
    endpoints = sorted(
        {
            (row.channel, (row.base_url or DEFAULT_BASE_URLS[row.channel]))
            for row in rows
            if row.token
        }
    )
    for channel, url in endpoints:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            socket.create_connection((parts.hostname, port), timeout=TIMEOUT_SECONDS).close()
        except OSError as error:
            found.append(Check(f"{channel} api", FAIL, f"{parts.hostname}:{port}: {error}"))
        else:
            found.append(Check(f"{channel} api", OK, f"{parts.hostname}:{port} answers"))
    if not rows:
        found.append(Check("channels", OK, "no WhatsApp or Telegram channel set up"))
    return found


def overdue_deadlines() -> Check:
    """Pending deadlines due longer ago than a sweep: the sweep should have fired them."""
    interval = sweep_interval()
    count, oldest = db.session.execute(
        select(func.count(Deadline.id), func.min(Deadline.due_at)).where(
            Deadline.state == DeadlineState.PENDING, Deadline.due_at < now() - interval
        )
    ).one()
    if not count:
        return Check("deadlines", OK, f"none overdue by more than {interval.seconds} s")
    late = now() - checks.aware(oldest)
    return Check(
        "deadlines",
        FAIL,
        f"{count} pending deadline(s) overdue by more than a sweep ({interval.seconds} s), "
        f"the oldest by {int(late.total_seconds())} s: are the workers running?",
    )


def dead_letters() -> Check:
    rows = db.session.execute(
        select(Notification.channel, func.count(Notification.id))
        .where(Notification.state == NotificationState.DEAD)
        .group_by(Notification.channel)
        .order_by(Notification.channel)
    ).all()
    if not rows:
        return Check("dead letters", OK, "none")
    counts = ", ".join(f"{channel}: {count}" for channel, count in rows)
    return Check("dead letters", WARN, f"{counts} (Settings → Deliveries in each workspace)")
