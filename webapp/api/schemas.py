"""Request and response bodies of the REST API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

from webapp.operations.activities import CHANNELS as ACTIVITY_CHANNELS

DB_INT = Field(ge=1, le=2**31 - 1)  # ids fit the database's integer columns
Scalar = str | int | float | bool | None


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
    attributes: dict[Annotated[str, Field(max_length=60)], Scalar] = Field(
        default_factory=dict, max_length=50, description="Qualification and other fields."
    )
    taken_by: int | None = Field(None, ge=1, le=2**31 - 1, description="Member who took it.")


class LeadQuery(Body):
    status: str | None = Field(None, max_length=40)
    owner: int | Literal["none"] | None = Field(
        None, description="A member's user id, or `none` for unassigned leads."
    )
    updated_since: UTCDatetime | None = None
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


class FieldError(BaseModel):
    path: str
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[FieldError]


class ErrorOut(BaseModel):
    error: ErrorDetail
