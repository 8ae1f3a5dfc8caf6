"""A member's saved views of the leads list: created, renamed and deleted, each audited."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func

from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import SavedView, User, Workspace
from webapp.tenancy import scoped

from . import audit
from .unit import operation

SAVED_VIEW_CREATED = "saved_view.created"
SAVED_VIEW_RENAMED = "saved_view.renamed"
SAVED_VIEW_DELETED = "saved_view.deleted"
NAME_MAX = 80
QUERY_MAX = 1000
VIEWS_MAX = 50  # per member and workspace


def views_of(workspace: Workspace, user: User) -> list[SavedView]:
    """`user`'s own views in `workspace`, by name: nobody else's."""
    return list(
        db.session.scalars(
            scoped(SavedView, workspace)
            .where(SavedView.user_id == user.id)
            .order_by(func.lower(SavedView.name), SavedView.id)
        )
    )


def _checked_name(workspace: Workspace, user: User, name: str, *, keep: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("name", _("Give the view a name."))
    if len(name) > NAME_MAX:
        raise UserError("name", _("At most %(num)d characters.", num=NAME_MAX))
    taken = [v for v in views_of(workspace, user) if v.name.lower() == name.lower()]
    if any(v.id != keep for v in taken):
        raise UserError("name", _("You already have a view called “%(name)s”.", name=name))
    return name


@operation
def create_view(workspace: Workspace, user: User, name: str, query: str) -> SavedView:
    """Keep the list's filters and sort (`query`, its canonical query string) under `name`."""
    name = _checked_name(workspace, user, name)
    if len(query) > QUERY_MAX:
        raise UserError("name", _("These filters are too long to save."))
    if len(views_of(workspace, user)) >= VIEWS_MAX:
        raise UserError("name", _("At most %(num)d saved views.", num=VIEWS_MAX))
    view = SavedView(workspace_id=workspace.id, user_id=user.id, name=name, query=query)
    db.session.add(view)
    audit.record(workspace.id, SAVED_VIEW_CREATED, view, actor=user, after={"name": name})
    return view


@operation
def rename_view(view: SavedView, name: str, *, actor: User) -> None:
    """Give `view` another name (its owner only: the caller has checked)."""
    workspace = view.workspace
    name = _checked_name(workspace, actor, name, keep=view.id)
    before, view.name = view.name, name
    audit.record(
        view.workspace_id,
        SAVED_VIEW_RENAMED,
        view,
        actor=actor,
        before={"name": before},
        after={"name": name},
    )


@operation
def delete_view(view: SavedView, *, actor: User) -> None:
    """Forget `view`; the audit trail keeps its name and filters."""
    audit.record(
        view.workspace_id,
        SAVED_VIEW_DELETED,
        view,
        actor=actor,
        before={"name": view.name, "query": view.query},
    )
    db.session.delete(view)
