"""The whole policy document: one model per section under a versioned root."""

from typing import Literal

from pydantic import Field

from tenants.policy.answers import AnswersSettings
from tenants.policy.assignment import AssignmentSettings
from tenants.policy.cadences import Cadence
from tenants.policy.calendar import CalendarSettings
from tenants.policy.common import N_, Code, Labels, Locale, Section
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

    format_version: Literal[1] = Field(
        FORMAT_VERSION,
        title=N_("Format version"),
        description=N_("The version of this document's format; always 1"),
    )
    name: str = Field(
        "Blank policy",
        title=N_("Policy name"),
        description=N_("The name the department gives this policy"),
    )
    default_locale: Locale = Field(
        "en",
        title=N_("Default language"),
        description=N_("The language used where a label has no translation"),
    )
    calendar: CalendarSettings = Field(
        default_factory=CalendarSettings,
        title=N_("Calendar"),
        description=N_("Time zone, business hours and holidays"),
    )
    intake: IntakeSettings = Field(
        default_factory=IntakeSettings,
        title=N_("Intake"),
        description=N_("Sources, fields, lead types and statuses"),
    )
    duplicates: DuplicateSettings = Field(
        default_factory=DuplicateSettings,
        title=N_("Duplicates"),
        description=N_("How duplicate leads are found and settled"),
    )
    assignment: AssignmentSettings = Field(
        default_factory=AssignmentSettings,
        title=N_("Assignment"),
        description=N_("Who receives a new lead"),
    )
    timers: list[Timer] = Field(
        default_factory=list,
        title=N_("Timers"),
        description=N_("Deadlines that act when nothing happens in time"),
    )
    outcomes: OutcomeSettings = Field(
        default_factory=OutcomeSettings,
        title=N_("Outcomes"),
        description=N_("The outcome codes agents record and what each one does"),
    )
    gates: list[Gate] = Field(
        default_factory=list,
        title=N_("Gates"),
        description=N_("Checks that block an offer to an account"),
    )
    account_facts: list[AccountFact] = Field(
        default_factory=todays_account_facts,
        title=N_("Account facts"),
        description=N_("The facts about an account that the accounts API takes and the gates read"),
    )
    counters: list[Counter] = Field(
        default_factory=list,
        title=N_("Counters"),
        description=N_("Counted events that raise a flag past a threshold"),
    )
    cadences: list[Cadence] = Field(
        default_factory=list,
        title=N_("Cadences"),
        description=N_("Daily contact rounds and nurture reminders"),
    )
    answers: AnswersSettings = Field(
        default_factory=AnswersSettings,
        title=N_("Answers"),
        description=N_("Answer sets, offers and the offer-rate target"),
    )
    roster: RosterSettings = Field(
        default_factory=RosterSettings,
        title=N_("Roster"),
        description=N_("The monthly on-call roster and its confirmation"),
    )
    reporting: ReportingSettings = Field(
        default_factory=ReportingSettings,
        title=N_("Reporting"),
        description=N_("What is reported, when and to whom"),
    )
    notifications: NotificationSettings = Field(
        default_factory=NotificationSettings,
        title=N_("Notifications"),
        description=N_("Who is told of which event, on which channels"),
    )
    scripts: dict[Code, Labels] = Field(
        default_factory=dict,
        title=N_("Scripts"),
        description=N_("Texts shown to an agent with a task, per language"),
    )
    records: RecordsSettings = Field(
        default_factory=RecordsSettings,
        title=N_("Records"),
        description=N_("Optional record kinds with their fields"),
    )
    tasks: TaskSettings = Field(
        default_factory=TaskSettings,
        title=N_("Tasks"),
        description=N_("What happens to open tasks when a lead is closed"),
    )

    def dump(self) -> dict:
        """The document as plain JSON-compatible data (durations and times as compact strings)."""
        return self.model_dump(mode="json")
