"""`reporting` section: weekly cut-off and report, metrics, commission sharing, effective date."""

from datetime import date, time
from typing import Literal

from pydantic import Field

from tenants.policy.common import (
    N_,
    Channel,
    Code,
    Percent,
    Recipient,
    Section,
    TimeOfDay,
    Weekday,
)

# The workspace roles a scheduled report can go to (it concerns no one lead).
ReportRole = Literal["administrator", "director", "manager", "agent"]
MAX_SCHEDULED_REPORTS = 5


class WeeklyCutoff(Section):
    """Everything must be complete by this local weekday and time (CCIMA-7, CCIMA-8)."""

    weekday: Weekday = Field("mon", title=N_("Weekday"), description=N_("The day of the week"))
    time: TimeOfDay = Field(
        default_factory=lambda: time(9, 0),
        title=N_("Time"),
        description=N_("The local time of day"),
    )


class CommissionSharing(Section):
    """Shares of commissions paid into a team pool, split among its members (CCIMA-13)."""

    agent_percent: Percent = Field(
        title=N_("Agent's share"),
        description=N_("The share of a commission paid into the pool by the agent"),
        json_schema_extra={"unit": N_("percent")},
    )
    manager_percent: Percent = Field(
        title=N_("Manager's share"),
        description=N_("The share of a commission paid into the pool by the manager"),
        json_schema_extra={"unit": N_("percent")},
    )
    pool_team: Code = Field(
        title=N_("Pool team"), description=N_("The team whose members share the pool")
    )
    distribution: Literal["equal", "weighted"] = Field(
        "equal", title=N_("Distribution"), description=N_("Equal shares, or shares by weight")
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        title=N_("Weights"),
        description=N_("A member's e-mail and their weight (others 1)"),
    )


class ScheduledReport(Section):
    """A report sent every week or month on the previous period's figures (issue 15 item 6)."""

    every: Literal["week", "month"] = Field(
        title=N_("Every"), description=N_("Whether the report is sent weekly or monthly")
    )
    weekday: Weekday = Field(
        "mon",
        title=N_("Weekday"),
        description=N_("The day a weekly report is sent; it covers the week before"),
    )
    day: int = Field(
        1,
        ge=1,
        le=28,
        title=N_("Day of the month"),
        description=N_("The day a monthly report is sent; it covers the month before"),
    )
    at: TimeOfDay = Field(
        default_factory=lambda: time(8, 0),
        title=N_("Time"),
        description=N_("The local time of day it is sent"),
    )
    metrics: list[Code] = Field(
        default_factory=list,
        title=N_("Metrics"),
        description=N_("The metrics it reports; none: the workspace's reported metrics"),
    )
    to: list[ReportRole] = Field(
        min_length=1, title=N_("Recipients"), description=N_("The roles that receive it")
    )
    channels: list[Channel] = Field(
        default_factory=lambda: ["email", "in_app"],
        min_length=1,
        title=N_("Channels"),
        description=N_("How it is sent: an e-mail carries the spreadsheet"),
    )


class ReportingSettings(Section):
    """What is reported, when and to whom."""

    weekly_cutoff: WeeklyCutoff | None = Field(
        None,
        title=N_("Weekly cut-off"),
        description=N_("Everything must be complete by this weekday and time"),
    )
    weekly_report_fields: list[Code] = Field(
        default_factory=list,
        title=N_("Weekly report fields"),
        description=N_("The figures the weekly report shows"),
    )
    weekly_report_recipients: list[Recipient] = Field(
        default_factory=lambda: ["agent", "assignee_manager"],
        min_length=1,
        title=N_("Weekly report recipients"),
        description=N_("Who receives an agent's weekly report"),
    )
    stage_statuses: dict[Code, Code] = Field(
        default_factory=dict,
        title=N_("Stage statuses"),
        description=N_("Report field and the status whose entries it counts"),
    )
    metrics: list[Code] = Field(
        default_factory=list, title=N_("Metrics"), description=N_("The metrics reported")
    )
    metrics_per: list[Code] = Field(
        default_factory=list,
        title=N_("Metrics per"),
        description=N_("What the metrics are broken down by, such as agent or team"),
    )
    commission_sharing: CommissionSharing | None = Field(
        None,
        title=N_("Commission sharing"),
        description=N_("Shares of commissions paid into a team pool"),
    )
    effective_from: date | None = Field(
        None,
        title=N_("Effective from"),
        description=N_("The date from which reports follow this policy"),
    )
    max_period_days: int = Field(
        366,
        ge=1,
        le=3660,
        title=N_("Longest report period"),
        description=N_("The longest period a report may cover"),
        json_schema_extra={"unit": N_("days")},
    )
    scheduled: list[ScheduledReport] = Field(
        default_factory=list,
        max_length=MAX_SCHEDULED_REPORTS,
        title=N_("Scheduled reports"),
        description=N_("Reports sent by themselves every week or month"),
    )
    agents_see_team: bool = Field(
        False,
        title=N_("Agents see their team"),
        description=N_("Agents see their team's figures, not only their own"),
    )
