"""`roster` section: the monthly on-call roster and its confirmation (CCIMA-3, CCIMA-4)."""

from datetime import time

from pydantic import Field

from tenants.policy.common import N_, Channel, Section, TimeOfDay


class RosterSettings(Section):
    """Monthly roster sent one-to-one; agents are active only after confirming."""

    enabled: bool = Field(
        False, title=N_("Roster on"), description=N_("The monthly roster is sent and confirmed")
    )
    send_day: int = Field(
        1,
        ge=1,
        le=28,
        title=N_("Sending day"),
        description=N_("The day of the month the roster is sent"),
        json_schema_extra={"unit": N_("day of the month")},
    )
    send_time: TimeOfDay = Field(
        time(8, 0), title=N_("Sending time"), description=N_("The local time the roster is sent")
    )
    channel: Channel = Field(
        "whatsapp", title=N_("Channel"), description=N_("The channel it is sent on")
    )
    confirmation_required: bool = Field(
        True,
        title=N_("Confirmation required"),
        description=N_("Agents are active only after confirming the roster"),
    )
    access_details_after_confirmation: bool = Field(
        True,
        title=N_("Access details after confirming"),
        description=N_("Access details are sent only once the roster is confirmed"),
    )
