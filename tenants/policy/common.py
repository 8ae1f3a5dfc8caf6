"""Shared field types of the policy document: codes, labels, percentages, times of day."""

import re
from datetime import time
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from tenants.errors import Refusal
from tenants.markers import N_

Locale = Literal["en", "es", "fr", "ru"]
LOCALES: tuple[str, ...] = ("en", "es", "fr", "ru")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Channel = Literal["in_app", "email", "whatsapp", "telegram"]
ContactChannel = Literal["call", "sms", "email", "whatsapp", "social", "voicemail", "in_person"]
# Who receives a notification: relational roles resolve against the lead, the others are
# workspace roles (ALL-1) or named contacts of the department.
Recipient = Literal[
    "assignee",
    "previous_assignee",
    "assignee_manager",
    "manager_assistant",
    "director",
    "administrator",
    "manager",
    "agent",
    "partner",
    "team",
    "exceptions_contact",
]

Code = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", min_length=1, max_length=64)
]
EventName = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_\-]+)+$", max_length=100)
]
Percent = Annotated[float, Field(ge=0, le=100)]
Count = Annotated[int, Field(ge=1, le=100_000)]
Labels = Annotated[
    dict[Locale, Annotated[str, StringConstraints(min_length=1)]], Field(min_length=1)
]

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and _HHMM.match(value):
        return time(int(value[:2]), int(value[3:]))
    raise ValueError(
        Refusal(N_("%(value)r is not a time of day; use HH:MM, e.g. '09:00'"), value=value)
    )


TimeOfDay = Annotated[
    time,
    BeforeValidator(_parse_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": _HHMM.pattern, "examples": ["09:00"]}),
]


def label_for(labels: dict[str, str], locale: str, fallback: str = "en") -> str:
    """Pick a label in `locale`, else the fallback locale, else any."""
    return labels.get(locale) or labels.get(fallback) or next(iter(labels.values()), "")


class Section(BaseModel):
    """Base of every policy model: strict keys so a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)
