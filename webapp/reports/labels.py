"""The names of a report's dimensions and units in the reader's language."""

from flask_babel import lazy_gettext as _l

DIMENSION_LABELS = {
    "": _l("Workspace"),
    "agent": _l("Agent"),
    "cpt_agent": _l("CPT agent"),
    "ae_agent": _l("AE member"),
    "manager": _l("Team"),
    "team": _l("Team"),
    "partner": _l("Partner organisation"),
    "source": _l("Source"),
    "lead_type": _l("Lead type"),
    "day": _l("Day"),
    "week": _l("Week"),
    "month": _l("Month"),
    "timer": _l("Timer"),
    "stage": _l("Stage"),
    "reason": _l("Reason"),
}
