"""`records` section: optional record kinds a department switches on, with their fields."""

from pydantic import Field

from tenants.policy.common import Code, ContactChannel, Labels, Section


class RecordKind(Section):
    """A record kind the web app offers on a lead or account (feedback, deal registration, ...)."""

    enabled: bool = True
    fields: list[Code] = Field(default_factory=list)
    statuses: list[Code] = Field(default_factory=list)
    categories: list[Code] = Field(default_factory=list)
    answered_by: list[Code] = Field(
        default_factory=list,
        description="the workspace roles that answer this record (CPB-4: admin, director, "
        "manager or agent; none named: admins, directors and managers)",
    )
    labels: dict[Code, Labels] = Field(
        default_factory=dict, description="status or category code -> its labels"
    )
    required_on: dict[Code, list[Code]] = Field(
        default_factory=dict,
        description="status -> the fields a move to it needs (CPB-7: won and lost)",
    )
    required_before: list[Code] = Field(
        default_factory=list,
        description="opportunity stages refused until this record exists (CPB-5: won)",
    )


class ContactAttempts(Section):
    """Contact attempts logged by channel, with a count per lead (CPB-6)."""

    channels: list[ContactChannel] = Field(default_factory=lambda: ["call", "email"])
    voicemail_fields: list[Code] = Field(
        default_factory=list,
        description="what a voicemail attempt records (none listed: the number and the message "
        "left); a code the portal has no input for gets one",
    )
    show_attempt_count: bool = True
    voicemail_message: dict[str, str] = Field(
        default_factory=dict,
        description="locale -> the standard voicemail message, with {date}, {time}, {reason}, "
        "{how_to_reach} and {caller} filled in (CPB-6)",
    )


class RecordsSettings(Section):
    """Record kinds: keyed by name so a department can add its own."""

    contact_attempts: ContactAttempts = Field(default_factory=ContactAttempts)
    kinds: dict[Code, RecordKind] = Field(default_factory=dict)
