"""`records` section: optional record kinds a department switches on, with their fields."""

from pydantic import Field

from tenants.policy.common import Code, ContactChannel, Section


class RecordKind(Section):
    """A record kind the web app offers on a lead or account (feedback, deal registration, ...)."""

    enabled: bool = True
    fields: list[Code] = Field(default_factory=list)
    statuses: list[Code] = Field(default_factory=list)
    categories: list[Code] = Field(default_factory=list)
    answered_by: list[Code] = Field(default_factory=list)


class ContactAttempts(Section):
    """Contact attempts logged by channel, with a count per lead (CPB-6)."""

    channels: list[ContactChannel] = Field(default_factory=lambda: ["call", "email"])
    voicemail_fields: list[Code] = Field(default_factory=list)
    show_attempt_count: bool = True


class RecordsSettings(Section):
    """Record kinds: keyed by name so a department can add its own."""

    contact_attempts: ContactAttempts = Field(default_factory=ContactAttempts)
    kinds: dict[Code, RecordKind] = Field(default_factory=dict)
