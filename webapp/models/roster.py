"""The monthly on-call roster as planned: who is on it for which month (CCIMA-3).

A membership's `roster_month` is the roster it was sent and may confirm; these rows are the
plan a manager keeps for this month and the next, read when the month's roster goes out.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db

from .base import TenantOwned, Timestamped


class RosterEntry(TenantOwned, Timestamped, db.Model):
    """One member on one month's roster (the month is its first day)."""

    __tablename__ = "roster_entries"
    __table_args__ = (UniqueConstraint("membership_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)

    membership = relationship("Membership")
