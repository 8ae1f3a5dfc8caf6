"""The one clock every part of Leadline asks for "now", so tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Current time, timezone-aware, in UTC."""
    # datetime.now is what time-machine moves; nothing else in the code base calls it.
    return datetime.now(UTC)
