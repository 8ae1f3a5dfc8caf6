"""The whole policy document: one model per section under a versioned root."""

from typing import Literal

from pydantic import Field

from tenants.policy.answers import AnswersSettings
from tenants.policy.assignment import AssignmentSettings
from tenants.policy.cadences import Cadence
from tenants.policy.calendar import CalendarSettings
from tenants.policy.common import Code, Labels, Locale, Section
from tenants.policy.counters import Counter
from tenants.policy.duplicates import DuplicateSettings
from tenants.policy.gates import AccountFact, Gate, todays_account_facts
from tenants.policy.intake import IntakeSettings
from tenants.policy.notifications import NotificationSettings
from tenants.policy.outcomes import OutcomeSettings
from tenants.policy.records import RecordsSettings
from tenants.policy.reporting import ReportingSettings
from tenants.policy.roster import RosterSettings
from tenants.policy.tasks import TaskSettings
from tenants.policy.timers import Timer

FORMAT_VERSION = 1


class Policy(Section):
    """A department's lead policy: every section optional, so `{}` is a valid (blank) policy."""

    format_version: Literal[1] = FORMAT_VERSION
    name: str = "Blank policy"
    default_locale: Locale = "en"
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    duplicates: DuplicateSettings = Field(default_factory=DuplicateSettings)
    assignment: AssignmentSettings = Field(default_factory=AssignmentSettings)
    timers: list[Timer] = Field(default_factory=list)
    outcomes: OutcomeSettings = Field(default_factory=OutcomeSettings)
    gates: list[Gate] = Field(default_factory=list)
    account_facts: list[AccountFact] = Field(
        default_factory=todays_account_facts,
        description="the account facts the accounts API takes and the gates read",
    )
    counters: list[Counter] = Field(default_factory=list)
    cadences: list[Cadence] = Field(default_factory=list)
    answers: AnswersSettings = Field(default_factory=AnswersSettings)
    roster: RosterSettings = Field(default_factory=RosterSettings)
    reporting: ReportingSettings = Field(default_factory=ReportingSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    scripts: dict[Code, Labels] = Field(default_factory=dict)
    records: RecordsSettings = Field(default_factory=RecordsSettings)
    tasks: TaskSettings = Field(default_factory=TaskSettings)

    def dump(self) -> dict:
        """The document as plain JSON-compatible data (durations and times as compact strings)."""
        return self.model_dump(mode="json")
