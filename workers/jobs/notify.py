"""Notification jobs: deliver a transaction's outbox rows (the fast path), one row (retries
and the sweep's), and sweep for lost ones."""

from __future__ import annotations

from rq import get_current_job

from webapp.operations import delivery


def deliver(notification_id: int) -> str | None:
    """Send the notification if it is still due; a no-op once sent."""
    return delivery.deliver(notification_id)


def deliver_batch(*notification_ids: int) -> list[str | None]:
    """Send each notification still due, over kept-alive connections; no-ops once sent."""
    job = get_current_job()
    return delivery.deliver_batch(list(notification_ids), job.id if job else None)


def sweep() -> int:
    """Re-enqueue due notifications whose job was lost; returns how many were enqueued."""
    return delivery.enqueue_due()
