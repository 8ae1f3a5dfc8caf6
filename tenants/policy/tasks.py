"""`tasks` section: what becomes of a lead's open tasks when the lead is closed."""

from typing import Literal

from pydantic import Field

from tenants.policy.common import N_, Section


class TaskSettings(Section):
    """Open tasks of a lead that reaches a terminal status (L411-3, L411-6, L411-8, L411-10)."""

    on_lead_closed: Literal["cancel", "done", "keep"] = Field(
        "cancel",
        title=N_("When a lead is closed"),
        description=N_("Cancel its open tasks, mark them done, or keep them open"),
    )
