"""Notification jobs: deliver one outbox row (the fast path) and sweep for lost ones."""

from __future__ import annotations

from webapp.operations import delivery


def deliver(notification_id: int) -> str | None:
    """Send the notification if it is still due; a no-op once sent."""
    return delivery.deliver(notification_id)


def sweep() -> int:
    """Re-enqueue due notifications whose job was lost; returns how many were enqueued."""
    return delivery.enqueue_due()
