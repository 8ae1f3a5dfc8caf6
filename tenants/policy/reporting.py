"""`reporting` section: weekly cut-off and report, metrics, commission sharing, effective date."""

from datetime import date, time
from typing import Literal

from pydantic import Field

from tenants.policy.common import Code, Percent, Recipient, Section, TimeOfDay, Weekday


class WeeklyCutoff(Section):
    """Everything must be complete by this local weekday and time (CCIMA-7, CCIMA-8)."""

    weekday: Weekday = "mon"
    time: TimeOfDay = Field(default_factory=lambda: time(9, 0))


class CommissionSharing(Section):
    """Shares of commissions paid into a team pool, split among its members (CCIMA-13)."""

    agent_percent: Percent
    manager_percent: Percent
    pool_team: Code
    distribution: Literal["equal", "weighted"] = "equal"
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="weighted distribution: a member's e-mail -> their weight (others 1)",
    )


class ReportingSettings(Section):
    """What is reported, when and to whom."""

    weekly_cutoff: WeeklyCutoff | None = None
    weekly_report_fields: list[Code] = Field(default_factory=list)
    weekly_report_recipients: list[Recipient] = Field(
        default_factory=lambda: ["agent", "assignee_manager"],
        min_length=1,
        description="who receives an advisor's weekly report: by default the advisor and"
        " their team's managers (CCIMA-8)",
    )
    stage_statuses: dict[Code, Code] = Field(
        default_factory=dict,
        description="report field -> the status whose entries it counts, e.g."
        " appointments_held: appointment_held",
    )
    metrics: list[Code] = Field(default_factory=list)
    metrics_per: list[Code] = Field(default_factory=list, description="e.g. agent, team")
    commission_sharing: CommissionSharing | None = None
    effective_from: date | None = None
    max_period_days: int = Field(
        366, ge=1, le=3660, description="the longest period a report may cover"
    )
    agents_see_team: bool = Field(
        False, description="agents see their team's figures, not only their own"
    )
