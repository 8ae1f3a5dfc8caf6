"""`roster` section: the monthly on-call roster and its confirmation (CCIMA-3, CCIMA-4)."""

from datetime import time

from pydantic import Field

from tenants.policy.common import Channel, Section, TimeOfDay


class RosterSettings(Section):
    """Monthly roster sent one-to-one; agents are active only after confirming."""

    enabled: bool = False
    send_day: int = Field(1, ge=1, le=28)
    send_time: TimeOfDay = time(8, 0)
    channel: Channel = "whatsapp"
    confirmation_required: bool = True
    access_details_after_confirmation: bool = True
