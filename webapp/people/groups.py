"""Teams and partner organisations (administrators), and the workspace's name and archiving."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Membership, PartnerOrganisation, Team
from webapp.operations import workspaces
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped
from webapp.validation_messages import user_message

from .blueprint import bp
from .forms import NamedForm, RenameWorkspaceForm
from .views import ADMINS, show_errors

# What each kind of group is called in URLs and pages, its model and its member column.
KINDS = {
    "teams": (Team, Membership.team_id),
    "organisations": (PartnerOrganisation, Membership.partner_organisation_id),
}


def _groups(model: type) -> list:
    return db.session.scalars(
        scoped(model).order_by(model.archived_at.is_not(None), model.name)
    ).all()


def _members_of(column) -> dict[int, list[Membership]]:
    rows = db.session.scalars(
        scoped(Membership)
        .where(column.is_not(None), Membership.active.is_(True))
        .options(joinedload(Membership.user))
        .order_by(Membership.id)
    ).all()
    grouped: dict[int, list[Membership]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, column.key), []).append(row)
    return grouped


def _page(kind: str, form: NamedForm, status: int = 200) -> Response:
    model, column = KINDS[kind]
    return render(
        "people/groups.html",
        status=status,
        kind=kind,
        form=form,
        groups=_groups(model),
        members_of=_members_of(column),
    )


def _save(kind: str, row, form: NamedForm):
    if kind == "teams":
        return workspaces.save_team(
            g.workspace, row, name=form.name.data, code=form.code.data, actor=current_user
        )
    return workspaces.save_partner_organisation(
        g.workspace,
        row,
        name=form.name.data,
        code=form.code.data,
        crm_reference=form.crm_reference.data,
        actor=current_user,
    )


def _list(kind: str) -> Response:
    form = NamedForm()
    if request.method == "GET":
        return _page(kind, form)
    if form.validate_on_submit():
        try:
            _save(kind, None, form)
        except UserError as refused:
            show_errors(form, refused)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(f"people.{kind}"))
    return _page(kind, form, status=422)


@bp.route("/teams", methods=["GET", "POST"])
@requires_role(*ADMINS)
def teams() -> Response:
    """The workspace's teams and their members; a new team."""
    return _list("teams")


@bp.route("/organisations", methods=["GET", "POST"])
@requires_role(*ADMINS)
def organisations() -> Response:
    """The partner organisations, their CRM references and their partner users."""
    return _list("organisations")


def _change(kind: str, row_id: int) -> Response:
    row = get_or_404(KINDS[kind][0], row_id)
    form = NamedForm()
    if form.validate_on_submit():
        try:
            _save(kind, row, form)
        except UserError as refused:
            flash(
                refused.errors[0][1] if hasattr(refused, "errors") else user_message(refused),
                "error",
            )
        else:
            flash(_("Saved."), "success")
    else:
        flash(_("Enter a name."), "error")
    return redirect(url_for(f"people.{kind}"))


@bp.post("/teams/<int:team_id>")
@requires_role(*ADMINS)
def change_team(team_id: int) -> Response:
    """Rename a team or change its code."""
    return _change("teams", team_id)


@bp.post("/organisations/<int:organisation_id>")
@requires_role(*ADMINS)
def change_organisation(organisation_id: int) -> Response:
    """Rename a partner organisation, change its code or CRM reference."""
    return _change("organisations", organisation_id)


def _archive(kind: str, row_id: int) -> Response:
    row = get_or_404(KINDS[kind][0], row_id)
    workspaces.set_archived(row, row.archived_at is None, actor=current_user)
    flash(_("Archived.") if row.archived_at else _("Restored."), "success")
    return redirect(url_for(f"people.{kind}"))


@bp.post("/teams/<int:team_id>/archive")
@requires_role(*ADMINS)
def archive_team(team_id: int) -> Response:
    """Archive a team (or restore an archived one)."""
    return _archive("teams", team_id)


@bp.post("/organisations/<int:organisation_id>/archive")
@requires_role(*ADMINS)
def archive_organisation(organisation_id: int) -> Response:
    """Archive a partner organisation (or restore it)."""
    return _archive("organisations", organisation_id)


@bp.route("/workspace", methods=["GET", "POST"])
@requires_role(*ADMINS)
def workspace_settings() -> Response:
    """The workspace's name, and archiving it."""
    form = RenameWorkspaceForm(data={"name": g.workspace.name})
    if request.method == "POST":
        form = RenameWorkspaceForm()
        if form.validate_on_submit():
            try:
                workspaces.rename_workspace(g.workspace, form.name.data, actor=current_user)
            except UserError as refused:
                show_errors(form, refused)
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("people.workspace_settings"))
        return render("people/workspace.html", status=422, form=form)
    return render("people/workspace.html", form=form)


@bp.post("/workspace/archive")
@requires_role(*ADMINS)
def archive_workspace() -> Response:
    """Archive the workspace (read-only, no intake, no clocks), or bring it back."""
    workspaces.set_archived(g.workspace, g.workspace.archived_at is None, actor=current_user)
    if g.workspace.archived_at:
        flash(_("The workspace is archived: it can only be read."), "success")
    else:
        flash(_("The workspace is active again."), "success")
    return redirect(url_for("people.workspace_settings"))
