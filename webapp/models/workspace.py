"""Workspaces (one per department), their teams, partner organisations and policy versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.extensions import db

from .base import TenantOwned, Timestamped
from .types import UTCDateTime

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"


class Workspace(Timestamped, db.Model):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # ISO 3166 country: the default region for phone numbers given without a country code.
    country: Mapped[str] = mapped_column(String(2), default="US")
    # ISO 4217: the currency of the workspace's amounts (a won deal's revenue).
    currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")
    # Where round-robin assignment resumes (the last member id served).
    assignment_cursor: Mapped[str | None] = mapped_column(String(40))
    active_policy_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_versions.id", use_alter=True, ondelete="SET NULL")
    )
    # Archived: pages read-only, no intake, no clocks fire (issue 12).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    active_policy_version: Mapped[PolicyVersion | None] = relationship(
        foreign_keys=[active_policy_version_id], post_update=True
    )

    def __repr__(self) -> str:
        return f"<Workspace {self.slug}>"


class Team(TenantOwned, db.Model):
    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        UniqueConstraint("workspace_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The code the policy names the team by (a transfer to "ae", a ticket for "ret").
    code: Mapped[str | None] = mapped_column(String(40))
    # An archived team takes no new members; its current members keep it until moved.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PartnerOrganisation(TenantOwned, db.Model):
    __tablename__ = "partner_organisations"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(40))
    # How the department's CRM knows this organisation.
    crm_reference: Mapped[str | None] = mapped_column(String(120))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PolicyVersion(TenantOwned, db.Model):
    """One saved version of a workspace's policy document; never edited after it is written."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    # Deferred: the validated policy is cached per version (operations.policies.policy_of), so
    # most requests need the row's id, not its (large) document.
    document: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    author = relationship("User")
