"""Calendar invites of a lead's meeting (CPB-1 AQL's booked appointment, CPB-3 OQL's), as .ics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webapp.clock import now
from webapp.models import Lead, Meeting, User

DEFAULT_MINUTES = 30


@dataclass(frozen=True)
class Appointment:
    starts: datetime  # aware, in the appointment's zone
    minutes: int


def zone_of(name: str | None, fallback: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def appointment(lead: Lead, meeting: Meeting | None, calendar_zone: str) -> Appointment | None:
    """The lead's meeting: the one a partner booked, else the AQL's booked `meeting_at` (a
    local time in `meeting_time_zone`, the calendar's zone when the lead gives none)."""
    if meeting is not None:
        zone = zone_of(meeting.time_zone, calendar_zone)
        return Appointment(meeting.starts_at.astimezone(zone), meeting.duration_minutes)
    raw = (lead.attributes or {}).get("meeting_at")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    zone = zone_of((lead.attributes or {}).get("meeting_time_zone"), calendar_zone)
    starts = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    return Appointment(starts, DEFAULT_MINUTES)


def ics(lead: Lead, when: Appointment, organiser: User | None, summary: str) -> bytes:
    """The invite as an iCalendar file: the organiser the partner, the attendee the lead."""
    # About 5 MiB: loaded by the first invite only (issue 17 item 5).
    from icalendar import Calendar, Event, vCalAddress, vText

    calendar = Calendar()
    calendar.add("prodid", "-//Leadline//partner portal//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"lead-{lead.id}-meeting@leadline")
    event.add("summary", summary)
    event.add("dtstart", when.starts)
    event.add("dtend", when.starts + timedelta(minutes=when.minutes))
    event.add("dtstamp", now())
    if organiser is not None:
        chair = vCalAddress(f"mailto:{organiser.email}")
        chair.params["cn"] = vText(organiser.name)
        event["organizer"] = chair
    if lead.email_normalised:
        guest = vCalAddress(f"mailto:{lead.email_normalised}")
        guest.params["cn"] = vText(lead.contact_name)
        guest.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", guest, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()  # the VTIMEZONE of the appointment's zone
    return calendar.to_ical()
