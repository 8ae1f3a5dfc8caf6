"""Request and response bodies of the REST API; the OpenAPI document is generated from them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

from webapp.operations.activities import CHANNELS as ACTIVITY_CHANNELS

DB_INT = Field(ge=1, le=2**31 - 1)  # ids fit the database's integer columns
# A lead's attributes are qualification answers, not documents: each value and all of them
# together are bounded (a 5 MB value was once stored).
ATTRIBUTE_VALUE_MAX = 1000
ATTRIBUTES_MAX_BYTES = 10_000
AttributeValue = (
    Annotated[str, Field(max_length=ATTRIBUTE_VALUE_MAX)]
    | int
    | Annotated[float, Field(allow_inf_nan=False)]
    | bool
    | None
)


def _attributes_bounded(value: dict[str, Any]) -> dict[str, Any]:
    size = len(json.dumps(value, ensure_ascii=False).encode())
    if size > ATTRIBUTES_MAX_BYTES:
        raise ValueError(f"at most {ATTRIBUTES_MAX_BYTES} bytes as JSON in all ({size} sent)")
    return value


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError("out of range") from None


UTCDatetime = Annotated[datetime, AfterValidator(_utc)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Requests ------------------------------------------------------------------------------------


class LeadIn(Body):
    """A lead handed in by another system (the same body for POST /leads and webhooks)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contact_name": "Ana García",
                    "phone": "+52 55 1234 5678",
                    "email": "ana@example.com",
                    "source": "digital_marketing",
                    "external_id": "crm-4711",
                    "attributes": {"budget": "250k"},
                }
            ]
        },
    )

    contact_name: str = Field(min_length=1, max_length=200)
    channel: str = Field(
        "api",
        max_length=64,
        description="How the lead arrived: one of the policy's intake channels (`phone_up`,"
        " `email`, ... matter to duplicates), or `api`, `webhook`, `import`, `manual`.",
    )
    source: str | None = Field(None, max_length=60, description="One of the policy's sources.")
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    company: str | None = Field(None, max_length=200)
    lead_type: str | None = Field(None, max_length=20)
    rating: str | None = Field(None, max_length=10)
    external_id: str | None = Field(
        None, max_length=100, description="Your id: a retry with the same one returns the lead."
    )
    account_ref: str | None = Field(None, max_length=100)
    attributes: Annotated[
        dict[Annotated[str, Field(max_length=60)], AttributeValue],
        AfterValidator(_attributes_bounded),
    ] = Field(
        default_factory=dict,
        max_length=50,
        description=(
            f"Qualification and other fields: each text at most {ATTRIBUTE_VALUE_MAX} characters, "
            f"all of them at most {ATTRIBUTES_MAX_BYTES} bytes as JSON."
        ),
    )
    taken_by: int | None = Field(None, ge=1, le=2**31 - 1, description="Member who took it.")


class LeadQuery(Body):
    status: str | None = Field(None, max_length=40)
    owner: int | Literal["none"] | None = Field(
        None, description="A member's user id, or `none` for unassigned leads."
    )
    updated_since: UTCDatetime | None = None
    updated_before: UTCDatetime | None = None
    created_since: UTCDatetime | None = None
    created_before: UTCDatetime | None = None
    team: int | None = Field(None, ge=1, le=2**31 - 1, description="A team's id.")
    source: str | None = Field(None, max_length=60, description="A source code.")
    lead_type: str | None = Field(None, max_length=20, description="A lead type code.")
    rating: str | None = Field(None, max_length=10, description="A rating of the policy's scale.")
    q: str | None = Field(
        None, max_length=100, description="Part of the name, company, phone or e-mail."
    )
    cursor: str | None = Field(None, max_length=200, description="`next_cursor` of a page.")
    limit: int = Field(50, ge=1, le=200)


class ActivityIn(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"channel": "call", "outcome": "no_did_not_answer", "note": "voicemail"}]
        },
    )

    channel: Literal[tuple(sorted(ACTIVITY_CHANNELS))] = "call"  # type: ignore[valid-type]
    outcome: str | None = Field(None, max_length=60, description="An outcome code of the policy.")
    note: str = Field("", max_length=2000)
    facts: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=20, description="Facts the outcome's effects read."
    )


class AssignIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"owner_id": 7}]})

    owner_id: int = DB_INT


class StatusIn(Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "won", "revenue": "1250.50"}]}
    )

    status: str = Field(min_length=1, max_length=40)
    revenue: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False
    )
    advisor_commission: Decimal | None = Field(
        None,
        ge=0,
        max_digits=14,
        decimal_places=2,
        allow_inf_nan=False,
        description="A won deal's advisor commission, in the workspace's currency (CCIMA-13).",
    )
    manager_commission: Decimal | None = Field(
        None,
        ge=0,
        max_digits=14,
        decimal_places=2,
        allow_inf_nan=False,
        description="A won deal's manager commission, in the workspace's currency (CCIMA-13).",
    )


class LeadPatch(Body):
    """The fields of a lead to change (issue 12): only those given; null or "" clears one
    (an attribute too). Checked as intake checks a new lead."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"rating": "AA", "phone": "+52 55 8765 4321", "reason": "called back"}]
        },
    )

    contact_name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    company: str | None = Field(None, max_length=200)
    lead_type: str | None = Field(None, max_length=20)
    rating: str | None = Field(None, max_length=10)
    attributes: Annotated[
        dict[Annotated[str, Field(max_length=60)], AttributeValue | None],
        AfterValidator(_attributes_bounded),
    ] = Field(default_factory=dict, description="Answers to change; null clears one.")
    reason: str = Field("", max_length=300, description="Why, for the audit trail.")


class CardIn(Body):
    """A card's state: `open`, or `closed` (at `closed_at`, now if omitted)."""

    kind: str = Field(min_length=1, max_length=40, examples=["upsell"])
    state: Literal["open", "closed"]
    closed_at: UTCDatetime | None = None


FactValue = bool | float | Annotated[str, Field(max_length=100)] | None


class AccountIn(Body):
    """An account and the facts its eligibility gates read (L411-4); omitted facts stay."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_ref": "BO-1042",
                    "name": "Harbor Plumbing",
                    "signed_up_on": "2026-10-01",
                    "do_not_upsell": False,
                    "cancelled": False,
                    "handled_by": None,
                    "pending_balance": 0,
                }
            ]
        },
    )

    external_ref: str = Field(min_length=1, max_length=100)
    name: str | None = Field(None, min_length=1, max_length=200)
    signed_up_on: date | None = None
    do_not_upsell: bool | None = None
    not_meeting_criteria: bool | None = None
    cancelled: bool | None = Field(None, description="Cancelled (CDTNP).")
    handled_by: Literal["RET", "ESC", "HTS"] | None = Field(
        None, description="The team handling the account now; null for none."
    )
    pending_balance: float | None = Field(None, ge=0, le=1e12)
    open_cards: list[Annotated[str, Field(max_length=40)]] | None = Field(
        None, max_length=20, description="Open cards, e.g. `upsell`."
    )
    cards: list[CardIn] | None = Field(
        None,
        max_length=20,
        description="Cards whose state changed; a card that closes starts the cooldowns"
        " waiting for it (L411-9: 30 days after the upsell card was closed).",
    )
    facts: dict[Annotated[str, Field(max_length=64)], FactValue] | None = Field(
        None,
        max_length=50,
        description="Facts the policy declares (`account_facts`) by name: a flag true or"
        " false, a field a text (null clears it), an amount a number. The named fields above"
        " are the same facts spelled out.",
    )


class DeliveryIn(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"contact_name": "Customer of Harbor", "phone": "+1 415 555 0101"}]
        },
    )

    contact_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    external_id: str | None = Field(None, max_length=100)
    source: str | None = Field(None, max_length=60)
    lead_type: str | None = Field(None, max_length=20)
    sent_by: int | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="The member who sent the lead (e.g. the CPT agent): the callback task is"
        " theirs (L411-3).",
    )


class TaskCloseIn(Body):
    """Who closes the task, and why (both optional)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"by": 7, "note": "Called back"}]}
    )

    by: int | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="The member closing it: its assignee, their manager, an administrator or a"
        " director (otherwise 403). Without it, only a manager key may close a task.",
    )
    note: str = Field("", max_length=500)


# Responses -----------------------------------------------------------------------------------


class Person(BaseModel):
    id: int
    name: str


class TeamOut(BaseModel):
    id: int
    name: str
    code: str | None


class DeadlineOut(BaseModel):
    kind: str
    due_at: datetime


class LeadOut(BaseModel):
    id: int
    contact_name: str
    phone: str | None = Field(description="E.164")
    email: str | None
    company: str | None
    source: str
    channel: str | None
    status: str
    owner: Person | None
    team: TeamOut | None
    type: str | None
    rating: str | None
    account_ref: str | None
    external_id: str | None
    duplicate_of: int | None
    invalidated: list[int] = Field(description="Leads invalidated in this lead's favour (BDC-2).")
    deadlines: list[DeadlineOut] = Field(description="Pending deadlines, soonest first.")
    policy_version: int | None
    attributes: dict[str, Any]
    joined: bool = Field(False, description="The request joined this existing file (BDC-7).")
    created_at: datetime
    updated_at: datetime


class DeliveryRef(BaseModel):
    lead_id: int
    contact_name: str
    at: datetime


class TaskOut(BaseModel):
    id: int
    lead_id: int | None
    kind: str = Field(description="e.g. a timer's task (upsell_callback), callback, ticket")
    state: Literal["open", "done", "cancelled"]
    due_at: datetime
    assignee: Person | None
    team: TeamOut | None
    script: str | None = Field(description="The policy's script to read (L411-3), if any.")
    deliveries: list[DeliveryRef] = Field(
        description="The leads sent to the account that this task covers (one open callback"
        " per account and agent, when the policy says so)."
    )
    completed_at: datetime | None
    created_at: datetime


class HistoryEntry(BaseModel):
    """One audit event of the lead (ALL-3)."""

    at: datetime
    actor: Person | None = Field(description="null: Leadline itself, or an API key (see reason)")
    action: str = Field(description="e.g. lead.assigned, lead.status, lead.updated, task.done")
    changes: dict[str, list[Any]] = Field(description="{field: [before, after]}")
    reason: str


class LeadDetail(LeadOut):
    """A lead with its open tasks and its audit trail, oldest first."""

    tasks: list[TaskOut]
    history: list[HistoryEntry]


class TaskList(BaseModel):
    tasks: list[TaskOut]


class LeadPage(BaseModel):
    leads: list[LeadOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: done.")


class AccountOut(BaseModel):
    id: int
    external_ref: str
    name: str
    signed_up_on: date | None
    flags: list[str] = Field(description="Flags set on the account, e.g. `hot` (L411-2).")
    do_not_upsell: bool
    not_meeting_criteria: bool
    cancelled: bool
    handled_by: str | None
    pending_balance: float
    open_cards: list[str]
    facts: dict[str, bool | float | str | None] = Field(
        description="Every fact the policy declares (`account_facts`) with its value."
    )
    cooldowns: dict[str, datetime] = Field(
        description="When each cooldown on offers ends, e.g. `offer` (L411-7, L411-9)."
    )
    created_at: datetime
    updated_at: datetime


class DeliveryOut(BaseModel):
    lead: LeadOut
    flags: list[str] = Field(description="Flags this delivery raised on the account (L411-2).")
    account: AccountOut


class WorkspaceOut(BaseModel):
    slug: str
    name: str
    locale: str
    time_zone: str


class PolicyVersionOut(BaseModel):
    number: int
    comment: str
    author: str | None
    created_at: datetime
    active: bool


class PolicyOut(PolicyVersionOut):
    document: dict[str, Any]


class PolicyVersions(BaseModel):
    versions: list[PolicyVersionOut]


class PolicyDocumentIn(RootModel[dict[str, Any]]):
    """A whole policy document; GET /api/v1/policy/schema is its JSON Schema."""


class PolicyQuery(Body):
    activate: bool = True
    comment: str = Field("", max_length=500)
    confirm_empty: bool = Field(
        False,
        description="Needed to store an empty document `{}`: every setting takes its default.",
    )


class FieldError(BaseModel):
    path: str
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[FieldError]


class ErrorOut(BaseModel):
    error: ErrorDetail
