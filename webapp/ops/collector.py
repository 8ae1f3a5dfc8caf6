"""Gauges computed when /metrics is scraped: what the database and Redis hold right now.

Each is one bounded aggregate query (grouped by a fixed set of states or channels), so a
scrape costs a few indexed counts however many tenants the installation has.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from rq import Queue, Worker
from sqlalchemy import func, select

from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Notification
from webapp.ops import checks
from webapp.ops.metrics import channel_label
from webapp.redis_client import QUEUE_NAMES

log = logging.getLogger("leadline.metrics")


class InstallationCollector(Collector):
    def __init__(self, app: Flask) -> None:
        self._app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "leadline_scrape_source_up",
            "Whether a source of these gauges answered",
            labels=["source"],
        )
        with self._app.app_context():
            try:
                yield from self._database()
                up.add_metric(["database"], 1)
            except Exception:  # the scrape still answers; the gauge says what is missing
                log.exception("metrics: the database gauges failed")
                db.session.rollback()
                up.add_metric(["database"], 0)
            finally:
                db.session.remove()
            try:
                yield from self._redis()
                up.add_metric(["redis"], 1)
            except Exception:
                log.warning("metrics: the Redis gauges failed", exc_info=True)
                up.add_metric(["redis"], 0)
        yield up

    def _database(self) -> Iterator[GaugeMetricFamily]:
        moment = now()
        due = Deadline.due_at <= moment
        not_due, overdue_count, earliest = db.session.execute(
            select(
                func.count().filter(~due), func.count().filter(due), func.min(Deadline.due_at)
            ).where(Deadline.state == DeadlineState.PENDING)
        ).one()
        waiting = GaugeMetricFamily("leadline_deadlines_pending", "Pending deadlines not yet due")
        waiting.add_metric([], not_due or 0)
        overdue = GaugeMetricFamily(
            "leadline_deadlines_due_unfired", "Pending deadlines already due: a clock is behind"
        )
        overdue.add_metric([], overdue_count or 0)
        oldest = GaugeMetricFamily(
            "leadline_deadlines_oldest_due_unfired_seconds",
            "How long the oldest due, unfired deadline has been due (0: none)",
        )
        late = (moment - checks.aware(earliest)).total_seconds() if overdue_count else 0
        oldest.add_metric([], late)
        yield from (waiting, overdue, oldest)

        outbox = GaugeMetricFamily(
            "leadline_notifications",
            "Outbox messages by channel and state",
            labels=["channel", "state"],
        )
        totals: dict[tuple[str, str], int] = {}
        for channel, state, count in db.session.execute(
            select(Notification.channel, Notification.state, func.count()).group_by(
                Notification.channel, Notification.state
            )
        ):
            key = (channel_label(channel), getattr(state, "value", str(state)))
            totals[key] = totals.get(key, 0) + count
        for (channel, state), count in sorted(totals.items()):
            outbox.add_metric([channel, state], count)
        yield outbox

    def _redis(self) -> Iterator[GaugeMetricFamily]:
        connection = checks.redis_connection()
        if connection is None:
            raise RuntimeError("REDIS_URL is not set")
        try:
            depth = GaugeMetricFamily("leadline_rq_queue_depth", "Jobs waiting", labels=["queue"])
            for name in QUEUE_NAMES:
                depth.add_metric([name], Queue(name, connection=connection).count)
            workers = GaugeMetricFamily("leadline_rq_workers", "RQ workers registered")
            workers.add_metric([], len(Worker.all(connection=connection)))
            yield depth
            yield workers
        finally:
            connection.close()
