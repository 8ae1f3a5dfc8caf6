"""Inbound-call offers (TEL-1..10): campaigns and their target numbers, the customer base,
interactions, the offers made on them with their answers, exceptions reported, accruals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.extensions import db

from .base import TenantOwned, Timestamped
from .types import UTCDateTime

CTN_LENGTH = 20


class Campaign(TenantOwned, Timestamped, db.Model):
    """An offer campaign: what the agent voices, to which numbers, in which order (TEL-1)."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("workspace_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    script: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(Integer, default=1)  # 1 is offered first
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    active_from: Mapped[date | None] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date)
    # Every number, or only those listed in campaign_targets.
    targets_all: Mapped[bool] = mapped_column(Boolean, default=True)
    # TEL-9: numbers on these tariff plans or with these services are exceptions.
    excluded_tariffs: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_services: Mapped[list[str]] = mapped_column(JSON, default=list)


class CampaignTarget(TenantOwned, db.Model):
    """One number a targeted campaign is offered to."""

    __tablename__ = "campaign_targets"
    __table_args__ = (
        UniqueConstraint("campaign_id", "ctn"),
        # The interaction screen asks "which campaigns target this number" per call.
        Index("ix_campaign_targets_ctn", "workspace_id", "ctn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    ctn: Mapped[str] = mapped_column(String(CTN_LENGTH))


class Customer(TenantOwned, Timestamped, db.Model):
    """A number of the customer base with its tariff plan and services (imported by CSV)."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("workspace_id", "ctn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ctn: Mapped[str] = mapped_column(String(CTN_LENGTH))
    tariff: Mapped[str | None] = mapped_column(String(60))
    services: Mapped[list[str]] = mapped_column(JSON, default=list)


class Interaction(TenantOwned, Timestamped, db.Model):
    """One inbound call as an agent handles it: offers, transfer steps, then closed."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_day", "workspace_id", "opened_on"),
        Index("ix_interactions_ctn", "workspace_id", "ctn"),
        Index("ix_interactions_agent_open", "workspace_id", "agent_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ctn: Mapped[str] = mapped_column(String(CTN_LENGTH))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The agent's line when the call came (TEL-8), kept as it was then.
    agent_line: Mapped[str] = mapped_column(String(10), default="first")
    tariff: Mapped[str | None] = mapped_column(String(60))
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The workspace's calendar day of the call: the report's periods and daily trend.
    opened_on: Mapped[date] = mapped_column(Date)
    # What happened on the call in order: {"kind": "transfer", "split": "ivr", "at": ...}.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    transferred_to: Mapped[str | None] = mapped_column(String(40))
    # From the telephony system (opens the agent's screen), or typed in by the agent.
    via: Mapped[str] = mapped_column(String(20), default="screen")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set on closing: offered / missed (counted), transferred / second_line / exception.
    outcome: Mapped[str | None] = mapped_column(String(20))
    missed_sale: Mapped[bool] = mapped_column(Boolean, default=False)

    agent = relationship("User")
    offers = relationship("Offer", back_populates="interaction", order_by="Offer.id")


class Offer(TenantOwned, db.Model):
    """One campaign voiced on an interaction and the customer's answer (TEL-3, TEL-4, TEL-5).

    A late answer from the archive changes this row: it counts for this campaign and this
    interaction, whoever records it later."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("interaction_id", "campaign_id"),
        Index("ix_offers_ctn", "workspace_id", "ctn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    ctn: Mapped[str] = mapped_column(String(CTN_LENGTH))
    answer: Mapped[str] = mapped_column(String(10))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # The last change from the archive (a late YES), and who made it.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    interaction = relationship("Interaction", back_populates="offers")
    campaign = relationship("Campaign")
    agent = relationship("User", foreign_keys=[agent_id])


class OfferException(TenantOwned, db.Model):
    """A number reported to the exceptions contact for a campaign, once (TEL-9)."""

    __tablename__ = "offer_exceptions"
    __table_args__ = (UniqueConstraint("workspace_id", "ctn", "campaign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ctn: Mapped[str] = mapped_column(String(CTN_LENGTH))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    campaign = relationship("Campaign")


class Accrual(TenantOwned, db.Model):
    """A discount, compensation or fee credit given with the customer's consent (TEL-10)."""

    __tablename__ = "accruals"
    __table_args__ = (Index("ix_accruals_ctn", "workspace_id", "ctn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    ctn: Mapped[str] = mapped_column(String(CTN_LENGTH))
    kind: Mapped[str] = mapped_column(String(20))  # discount / compensation / fee_credit
    category: Mapped[str] = mapped_column(String(20))  # the policy's accrual categories
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    consent: Mapped[bool] = mapped_column(Boolean)
    subject: Mapped[str] = mapped_column(String(120))
    comment: Mapped[str] = mapped_column(Text, default="")
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    campaign = relationship("Campaign")
    agent = relationship("User")
