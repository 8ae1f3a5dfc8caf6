"""A member's saved view of the leads list: a name and the list's query string (issue 16)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db

from .base import TenantOwned, Timestamped


class SavedView(TenantOwned, Timestamped, db.Model):
    """Filters and sort of the leads list, kept under a name for the member who saved them;
    nobody else sees it, and it lives in one workspace."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The canonical query string of the list (webapp.workspace.queries.LeadFilters.args).
    query: Mapped[str] = mapped_column(String(1000), default="")

    user = relationship("User")
    workspace = relationship("Workspace")
