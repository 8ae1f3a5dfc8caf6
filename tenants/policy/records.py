"""`records` section: optional record kinds a department switches on, with their fields."""

from pydantic import Field

from tenants.policy.common import N_, Code, ContactChannel, Labels, Section


class RecordKind(Section):
    """A record kind the web app offers on a lead or account (feedback, deal registration, ...)."""

    enabled: bool = Field(True, title=N_("On"), description=N_("This record kind is offered"))
    fields: list[Code] = Field(
        default_factory=list, title=N_("Fields"), description=N_("The fields of the record")
    )
    statuses: list[Code] = Field(
        default_factory=list, title=N_("Statuses"), description=N_("The statuses of the record")
    )
    categories: list[Code] = Field(
        default_factory=list, title=N_("Categories"), description=N_("The categories of the record")
    )
    answered_by: list[Code] = Field(
        default_factory=list,
        title=N_("Answered by"),
        description=N_("The roles that answer this record"),
    )
    labels: dict[Code, Labels] = Field(
        default_factory=dict,
        title=N_("Labels"),
        description=N_("Status or category code and its labels"),
    )
    required_on: dict[Code, list[Code]] = Field(
        default_factory=dict,
        title=N_("Required on"),
        description=N_("Status and the fields a move to it needs"),
    )
    required_before: list[Code] = Field(
        default_factory=list,
        title=N_("Required before"),
        description=N_("Opportunity stages refused until this record exists"),
    )


class ContactAttempts(Section):
    """Contact attempts logged by channel, with a count per lead (CPB-6)."""

    channels: list[ContactChannel] = Field(
        default_factory=lambda: ["call", "email"],
        title=N_("Channels"),
        description=N_("The channels attempts are logged on"),
    )
    voicemail_fields: list[Code] = Field(
        default_factory=list,
        title=N_("Voicemail fields"),
        description=N_("What a voicemail attempt records"),
    )
    show_attempt_count: bool = Field(
        True,
        title=N_("Show the count"),
        description=N_("The number of attempts is shown on each lead"),
    )
    voicemail_message: dict[str, str] = Field(
        default_factory=dict,
        title=N_("Voicemail message"),
        description=N_("The standard voicemail message, per language"),
    )


class RecordsSettings(Section):
    """Record kinds: keyed by name so a department can add its own."""

    contact_attempts: ContactAttempts = Field(
        default_factory=ContactAttempts,
        title=N_("Contact attempts"),
        description=N_("Contact attempts logged by channel"),
    )
    kinds: dict[Code, RecordKind] = Field(
        default_factory=dict,
        title=N_("Record kinds"),
        description=N_("Record kinds a department switches on"),
    )
