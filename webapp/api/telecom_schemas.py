"""Bodies of the telecom offer routes (TEL-1..10): campaigns, interactions, answers, the
archive, accruals and the offer-rate report."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from .schemas import Body

Ctn = Annotated[str, Field(min_length=1, max_length=40, description="The customer's number.")]
ShortCode = Annotated[str, Field(min_length=1, max_length=60)]


class Exceptions(Body):
    tariffs: list[ShortCode] = Field(default_factory=list, max_length=200)
    services: list[ShortCode] = Field(default_factory=list, max_length=200)


class CampaignIn(Body):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    priority: int = Field(ge=1, le=999, description="1 is offered first.")
    description: str = Field("", max_length=4000)
    script: str = Field("", max_length=8000)
    active: bool = False
    active_from: date | None = None
    active_to: date | None = None
    targets: list[Ctn] | None = Field(None, max_length=200_000, description="None: every number.")
    exceptions: Exceptions = Field(default_factory=Exceptions)


class CampaignPatch(Body):
    name: str | None = Field(None, min_length=1, max_length=200)
    priority: int | None = Field(None, ge=1, le=999)
    description: str | None = Field(None, max_length=4000)
    script: str | None = Field(None, max_length=8000)
    active: bool | None = None
    active_from: date | None = None
    active_to: date | None = None
    targets: list[Ctn] | None = Field(None, max_length=200_000)
    exceptions: Exceptions | None = None


class CampaignOut(BaseModel):
    code: str
    name: str
    priority: int
    description: str
    script: str
    active: bool
    active_from: date | None
    active_to: date | None
    targets: Literal["all"] | int = Field(description="'all', or how many numbers are listed.")
    exceptions: Exceptions


class CampaignList(BaseModel):
    campaigns: list[CampaignOut]


class InteractionIn(Body):
    ctn: Ctn
    agent: int | None = Field(None, ge=1, le=2**31 - 1, description="The member taking the call.")
    tariff: str | None = Field(None, max_length=60)
    services: list[ShortCode] | None = Field(None, max_length=50)


class OfferShown(BaseModel):
    campaign: str
    name: str
    priority: int
    script: str


class ArchiveEntry(BaseModel):
    id: int
    interaction_id: int
    campaign: str
    name: str
    answer: str
    answered_at: datetime
    agent: str | None
    changed_at: datetime | None
    allowed: list[str]


class InteractionOut(BaseModel):
    id: int
    ctn: str
    agent_line: str
    tariff: str | None
    services: list[str]
    offers: list[OfferShown]
    answers: dict[str, str]
    archive: list[ArchiveEntry]
    transferred_to: str | None
    closed_at: datetime | None
    outcome: str | None
    missed_sale: bool


class AnswerIn(Body):
    campaign: str = Field(min_length=1, max_length=40)
    answer: str = Field(min_length=1, max_length=10, description="yes, no or think.")


class AnswerOut(BaseModel):
    id: int
    interaction_id: int
    campaign: str
    answer: str
    allowed: list[str]


class TransferIn(Body):
    split: str = Field(min_length=1, max_length=40)
    confirm: bool = Field(False, description="Transfer before any offer anyway (TEL-2).")


class ArchiveOut(BaseModel):
    ctn: str
    offers: list[ArchiveEntry]


class AccrualIn(Body):
    kind: str = Field("fee_credit", max_length=20)
    category: str = Field(max_length=20)
    amount: Decimal = Field(gt=0, le=1_000_000, max_digits=12, decimal_places=2)
    consent: bool
    subject: str = Field(max_length=120)
    comment: str = Field("", max_length=4000)
    campaign: str | None = Field(None, max_length=40)


class AccrualOut(BaseModel):
    id: int
    interaction_id: int
    ctn: str
    kind: str
    category: str
    amount: Decimal
    subject: str
    comment: str
    campaign: str | None
    created_at: datetime


class OfferRateQuery(Body):
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    group_by: Literal["agent", "team", "campaign"] = "agent"


class Excluded(BaseModel):
    transferred: int
    second_line: int
    exception: int


class RateRow(BaseModel):
    key: str
    counted: int
    offered: int
    missed: int
    excluded: Excluded
    rate: float | None
    yes: int
    no: int
    think: int
    conversion: float | None


class OfferRateOut(BaseModel):
    target: float
    rate: float | None
    counted: int
    offered: int
    missed: int
    excluded: Excluded
    yes: int
    no: int
    think: int
    conversion: float | None
    rows: list[RateRow]
