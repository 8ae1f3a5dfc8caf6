"""The leads list as a table of words: the CSV export's header and cells, in the reader's
language (labels from the policy), times in the workspace's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from webapp.models import Lead
from webapp.policy.labels import PolicyLabels


def _at(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else ""


def csv_table(
    leads: list[Lead], labels: PolicyLabels, time_zone: str
) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of `leads` in the list's order."""
    zone = ZoneInfo(time_zone)
    header = [
        _("Lead number"),
        _("Contact"),
        _("Company"),
        _("Phone"),
        _("E-mail"),
        _("Status"),
        _("Owner"),
        _("Team"),
        _("Source"),
        _("Lead type"),
        _("Rating"),
        _("Created"),
        _("Updated"),
    ]
    rows = [
        [
            str(lead.id),
            lead.contact_name,
            lead.company or "",
            lead.phone_e164 or lead.phone_raw or "",
            lead.email_raw or "",
            labels.status(lead.status),
            lead.owner.name if lead.owner else _("Unassigned"),
            lead.team.name if lead.team else "",
            labels.source(lead.source),
            labels.lead_type(lead.lead_type) if lead.lead_type else "",
            lead.rating or "",
            _at(lead.created_at, zone),
            _at(lead.updated_at, zone),
        ]
        for lead in leads
    ]
    return header, rows
