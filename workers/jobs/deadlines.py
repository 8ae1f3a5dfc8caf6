"""Deadline jobs: fire one deadline (the fast path) and sweep for due ones (the safety net)."""

from __future__ import annotations

from webapp.operations import deadlines, recurring


def fire(deadline_id: int) -> bool:
    """Fire the deadline if it is still pending and due; a no-op otherwise."""
    return deadlines.fire(deadline_id)


def sweep() -> int:
    """Re-enqueue every pending deadline that is due, and give every workspace its recurring
    clocks (roster, cut-off, rounds) if a row is missing; returns how many were enqueued."""
    recurring.ensure_all()
    return deadlines.enqueue_due()
