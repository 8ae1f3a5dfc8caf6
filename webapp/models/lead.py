"""Leads and the client accounts they may be delivered to."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.extensions import db

from .base import TenantOwned, Timestamped
from .types import UTCDateTime


class Account(TenantOwned, Timestamped, db.Model):
    """A client business whose leads are recorded against it (e.g. a business owner)."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("workspace_id", "external_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    signed_up_on: Mapped[date | None] = mapped_column(Date)
    # Flags the policy's gates read (do-not-upsell, cancelled, under another team, balance).
    flags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    workspace = relationship("Workspace")


class Lead(TenantOwned, Timestamped, db.Model):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        # A retried intake with the same Idempotency-Key finds its first lead.
        UniqueConstraint("workspace_id", "intake_key"),
        # The agent's queue: my open leads, most recently touched first.
        Index("ix_leads_queue", "workspace_id", "owner_id", "status", "updated_at"),
        Index("ix_leads_status", "workspace_id", "status", "updated_at"),
        # Duplicate detection looks leads up by normalised phone and e-mail.
        Index("ix_leads_phone", "workspace_id", "phone_e164"),
        Index("ix_leads_email", "workspace_id", "email_normalised"),
        # The queue reads a member's leads in deadline order straight from this index.
        Index("ix_leads_next_due", "workspace_id", "owner_id", "next_due_at"),
        # Reports: the leads that arrived in a period (webapp.reports).
        Index("ix_leads_created", "workspace_id", "created_at"),
        # Reports over a year of leads read their facts from this index alone (issue 15).
        Index(
            "ix_leads_report",
            "workspace_id",
            "arrived_on",
            "owner_id",
            "team_id",
            "source",
            "contact_attempts",
            "first_contact_seconds",
        ),
        # Speed to lead on SQLite reads the contacted leads' seconds (a third of the leads) in
        # one pass: from this partial index it skips the others without decoding them.
        Index(
            "ix_leads_contacted",
            "workspace_id",
            "arrived_on",
            "owner_id",
            "team_id",
            "source",
            "first_contact_seconds",
            sqlite_where=text("first_contact_seconds IS NOT NULL"),
            postgresql_where=text("first_contact_seconds IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(60), default="manual")
    contact_name: Mapped[str] = mapped_column(String(200))
    phone_raw: Mapped[str | None] = mapped_column(String(40))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email_raw: Mapped[str | None] = mapped_column(String(254))
    email_normalised: Mapped[str | None] = mapped_column(String(254))
    company: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(40), default="new")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    partner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_organisations.id", ondelete="SET NULL")
    )
    rating: Mapped[str | None] = mapped_column(String(10))
    lead_type: Mapped[str | None] = mapped_column(String(20))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    invalid_reason: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(100))
    intake_key: Mapped[str | None] = mapped_column(String(100))
    # sha256 of the body first received under intake_key: the key reused with another body is
    # refused, not answered with this lead.
    intake_fingerprint: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The earliest pending deadline of an open lead (None when it has none, or is closed),
    # kept by the deadline operations so the queue needs no per-lead subquery.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    policy_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_versions.id", ondelete="SET NULL")
    )
    # Facts the reports read, written by the operations when they happen
    # (webapp.operations.lead_facts): the local day of arrival in the workspace's zone (a
    # proleptic Gregorian ordinal), the first logged contact, the seconds to it in the clock
    # of the policy's first-response timer, and the contact attempts logged.
    arrived_on: Mapped[int | None] = mapped_column(Integer)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_contact_seconds: Mapped[float | None] = mapped_column(Float)
    contact_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    workspace = relationship("Workspace")
    owner = relationship("User", foreign_keys=[owner_id])
    team = relationship("Team")
    account = relationship("Account")
    partner_organisation = relationship("PartnerOrganisation")
    duplicate_of = relationship("Lead", remote_side=[id])

    def __repr__(self) -> str:
        return f"<Lead {self.id} {self.contact_name!r} {self.status}>"


class IntakeReceipt(TenantOwned, db.Model):
    """A request that joined an existing file instead of making a lead (BDC-7), remembered
    under its Idempotency-Key or external id so that a retry joins nothing twice."""

    __tablename__ = "intake_receipts"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))  # "key:<Idempotency-Key>" or "ext:<id>"
    fingerprint: Mapped[str | None] = mapped_column(String(64))  # of the body, as on Lead
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    lead = relationship("Lead")


class LeadStatusMove(TenantOwned, db.Model):
    """A lead's move to a status, written with the status change by
    `operations.leads.set_status` (the audit event records it too): the narrow fact the
    reports count conversion, leads lost and won revenue from (issue 15), read from
    ix_status_moves_report instead of the audit rows' JSON. It records who held the lead, its
    team and source as it moved, so a cut by agent, team or source reads the moves alone:
    joining a year's moves to their leads made SQLite look up a wide lead row for each."""

    __tablename__ = "lead_status_moves"
    __table_args__ = (
        Index(
            "ix_status_moves_report",
            "workspace_id",
            "moved_at",
            "status",
            "lead_id",
            "revenue",
            "owner_id",
            "team_id",
            "source",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(60))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    reason: Mapped[str] = mapped_column(Text, default="")
    # The won deal's revenue as recorded on the move (None: none given).
    revenue: Mapped[float | None] = mapped_column(Numeric(asdecimal=False))
    # CCIMA-13: the advisor's and the manager's commissions on the won deal (None: none given),
    # which the commission pool sums.
    advisor_commission: Mapped[float | None] = mapped_column(Numeric(asdecimal=False))
    manager_commission: Mapped[float | None] = mapped_column(Numeric(asdecimal=False))
    # The lead's holder, team and source when it moved.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(String(60))
