"""The times a message shows, formatted when it is rendered rather than when it is queued.

A reminder read in the bell hours after it was sent must still tell the truth ("in 2 hours",
not the "in 4 hours" of when it went out), in the reader's language and the workspace's zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, format_timedelta, get_datetime_format

from webapp.clock import now


def _zone(name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(name) if isinstance(name, str) and name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_datetime(moment: datetime, zone: ZoneInfo, locale: str) -> str:
    """Medium date and short time in `locale`: 'Mar 3, 2026, 2:00 PM', '3 mar 2026, 14:00'."""
    local = moment.astimezone(zone)
    pattern = get_datetime_format("medium", locale=locale).replace("'", "")
    date_text = format_date(local.date(), "medium", locale=locale)
    time_text = format_time(local, "short", tzinfo=zone, locale=locale)
    return pattern.replace("{1}", date_text).replace("{0}", time_text)


def deadline_values(payload: dict[str, Any], locale: str) -> dict[str, str]:
    """`due_at` (local date and time) and `due_in` ("in 4 hours", "2 hours ago") of a payload
    that carries a deadline as ISO `due_at` and the workspace's `time_zone`; else nothing."""
    raw = payload.get("due_at")
    if not isinstance(raw, str):
        return {}
    try:
        due = datetime.fromisoformat(raw)
    except ValueError:
        return {}
    return {
        "due_at": local_datetime(due, _zone(payload.get("time_zone")), locale),
        "due_in": format_timedelta(due - now(), add_direction=True, locale=locale),
    }
