"""The meeting an OQL's partner books after the introductory call, and its invite (CPB-3)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.clock import now
from webapp.extensions import db
from webapp.models import Lead, Meeting, User

from . import audit, notifications, policies
from .opportunities import StageRefused
from .unit import operation


def meeting_of(lead: Lead) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.lead_id == lead.id))


def _starts(data: dict[str, Any]) -> tuple[datetime | None, str, dict[str, str]]:
    bad: dict[str, str] = {}
    zone_name = str(data.get("time_zone") or "").strip()
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
        bad["time_zone"] = _("Choose a time zone, e.g. Europe/London.")
    try:
        day = date.fromisoformat(str(data.get("date") or ""))
    except ValueError:
        day = None
        bad["date"] = _("Give the meeting's date.")
    try:
        hour = time.fromisoformat(str(data.get("time") or ""))
    except ValueError:
        hour = None
        bad["time"] = _("Give the meeting's time, e.g. 14:30.")
    if bad:
        return None, zone_name, bad
    starts = datetime.combine(day, hour, tzinfo=zone)
    if starts <= now():
        return None, zone_name, {"date": _("The meeting must be in the future.")}
    return starts, zone_name, {}


@operation
def book(lead: Lead, data: dict[str, Any], *, actor: User | None) -> Meeting:
    """Book (or move) the lead's meeting at a local date and time in a zone."""
    starts, zone_name, bad = _starts(data)
    if not lead.email_normalised:
        bad["date"] = _("The lead has no e-mail address to send the invitation to.")
    if bad:
        raise StageRefused(bad)
    meeting = meeting_of(lead)
    if meeting is None:
        meeting = Meeting(workspace_id=lead.workspace_id, lead_id=lead.id, starts_at=starts)
        db.session.add(meeting)
    meeting.starts_at, meeting.time_zone = starts, zone_name
    meeting.booked_by_id = actor.id if actor else None
    audit.record(
        lead.workspace_id,
        "meeting.booked",
        lead,
        actor=actor,
        after={"starts_at": starts.isoformat(), "time_zone": zone_name},
    )
    return meeting


@operation
def send_invite(lead: Lead, meeting: Meeting, ics: bytes, summary: str, *, actor: User) -> None:
    """E-mail the prospect the invitation with the .ics attached, in the workspace's language."""
    locale = lead.workspace.locale or policies.active_policy(lead.workspace).default_locale
    zone = ZoneInfo(meeting.time_zone)
    when = format_datetime(meeting.starts_at, "full", tzinfo=zone, locale=locale)
    meeting.invited_at = now()
    notifications.queue_to_address(
        lead.workspace_id,
        lead.email_normalised,
        "meeting_invite",
        {
            "contact_name": lead.contact_name,
            "organiser": actor.name,
            "summary": summary,
            "when": when,
            "attachments": [
                {"filename": "invite.ics", "content_type": "text/calendar", "text": ics.decode()}
            ],
        },
        locale=locale,
        key=f"meeting:{meeting.id}:{meeting.starts_at.isoformat()}",
    )
    audit.record(lead.workspace_id, "meeting.invited", lead, actor=actor)
