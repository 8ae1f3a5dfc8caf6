"""People, and the role each holds in each workspace they belong to."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash

from webapp.extensions import db
from webapp.security import hash_password

from .base import TenantOwned, Timestamped
from .types import UTCDateTime


class Role(enum.StrEnum):
    ADMIN = "admin"
    DIRECTOR = "director"
    MANAGER = "manager"
    AGENT = "agent"
    PARTNER = "partner"


class User(UserMixin, Timestamped, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    preferred_locale: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    # Where Telegram reaches this person directly (Telegram cannot write to a phone number).
    telegram_chat_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session's identity: raising it ends all of this user's sessions at once
    # (sign-out, password change, deactivation), wherever their cookies were copied to.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="Membership.user_id"
    )

    @property
    def is_active(self) -> bool:  # flask-login asks this
        return self.active

    def get_id(self) -> str:  # flask-login stores this in the session
        return f"{self.id}.{self.session_epoch}"

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(TenantOwned, Timestamped, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    partner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_organisations.id", ondelete="SET NULL")
    )
    # Only authorised members receive leads (CCIMA-2); the policy decides whether it matters.
    authorised: Mapped[bool] = mapped_column(Boolean, default=True)
    # Busy or away members are skipped by strategies that ask (BDC-4's manager on a call).
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    # Share of leads for the weighted strategy.
    weight: Mapped[int] = mapped_column(Integer, default=1)
    # The month this member is on the roster for, and when they confirmed it (CCIMA-3, 4).
    roster_month: Mapped[date | None] = mapped_column(Date)
    roster_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Away until this moment (BDC-4): skipped like an unavailable member until then.
    away_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Most open leads this member holds at once, for strategies that read capacity.
    capacity: Mapped[int | None] = mapped_column(Integer)
    # First- or second-line (TEL-8): second-line members make no offers and are outside
    # the offer-rate figures.
    line: Mapped[str] = mapped_column(String(10), default="first", server_default="first")
    # The member's manager: told of escalations about this member's leads.
    manager_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who is told on this member's behalf when they cannot take a call (BDC-4).
    assistant_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    # A deactivated member keeps their history but signs in to nothing here and gets no leads.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # An invitation not yet accepted: its link carries this nonce, so resending (a new nonce)
    # or revoking (none) kills every earlier link, and accepting spends it.
    invitation_nonce: Mapped[str | None] = mapped_column(String(32))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    workspace = relationship("Workspace")
    team = relationship("Team")
    partner_organisation = relationship("PartnerOrganisation")
