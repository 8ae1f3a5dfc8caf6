"""What partners record on the leads allocated to them (CPB-3..7): a lead's opportunity stage,
its deal registration, feedback to the agency, and the meeting they book."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db

from .base import TenantOwned, Timestamped
from .types import UTCDateTime


class Opportunity(TenantOwned, Timestamped, db.Model):
    """The lead's opportunity stage in the partner's sales cycle (CPB-7), one per lead."""

    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), unique=True, index=True
    )
    stage: Mapped[str] = mapped_column(String(64))
    # The fields the policy asks for on the stage reached (won: deal value; lost: the reason).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DealRegistration(TenantOwned, Timestamped, db.Model):
    """The deal a partner registers for a lead (CPB-5); the agency approves or rejects it."""

    __tablename__ = "deal_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), unique=True, index=True
    )
    partner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_organisations.id", ondelete="SET NULL")
    )
    vendor: Mapped[str] = mapped_column(String(200))
    deal_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    expected_close: Mapped[date] = mapped_column(Date)
    crm_reference: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lead = relationship("Lead")


class LeadFeedback(TenantOwned, Timestamped, db.Model):
    """A partner's report of a problem with a lead, answered by the agency (CPB-4)."""

    __tablename__ = "lead_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lead = relationship("Lead")
    author = relationship("User", foreign_keys=[author_id])


class Meeting(TenantOwned, Timestamped, db.Model):
    """The meeting an OQL's partner books with the prospect (CPB-3), in the meeting's zone."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), unique=True, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    time_zone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Collateral(TenantOwned, Timestamped, db.Model):
    """A document of the agency's library partners send to prospects (CPB-8); the file is
    stored under the instance folder, named by `stored_name`."""

    __tablename__ = "collateral"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
