"""People pages (administrators): members, invitations, a member's fields, deactivation."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Membership, PartnerOrganisation, Role, Team
from webapp.operations import invitations, members
from webapp.operations.members import MemberInvalid
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped
from webapp.validation_messages import user_message

from .blueprint import bp
from .forms import NONE, InviteForm, MemberForm, locale_choices, optional_choices, role_choices

ADMINS = (Role.ADMIN,)


def _memberships() -> list[Membership]:
    return db.session.scalars(
        scoped(Membership)
        .options(joinedload(Membership.user), joinedload(Membership.team))
        .order_by(Membership.active.desc(), Membership.role, Membership.id)
    ).all()


def _teams() -> list[Team]:
    return db.session.scalars(
        scoped(Team).where(Team.archived_at.is_(None)).order_by(Team.name)
    ).all()


def _organisations() -> list[PartnerOrganisation]:
    return db.session.scalars(
        scoped(PartnerOrganisation)
        .where(PartnerOrganisation.archived_at.is_(None))
        .order_by(PartnerOrganisation.name)
    ).all()


def show_errors(form, refused: UserError) -> None:
    """Each refused field's message beside its field (the first field when it has none)."""
    errors = (
        refused.errors
        if isinstance(refused, MemberInvalid)
        else [(refused.field, user_message(refused))]
    )
    for field, message in errors:
        target = getattr(form, field, None)
        if target is None or not hasattr(target, "errors"):
            target = next(iter(form))
        if not isinstance(target.errors, list):
            target.errors = list(target.errors)
        target.errors.append(message)


def _invite_form(formdata=None) -> InviteForm:
    form = InviteForm(formdata=formdata) if formdata is not None else InviteForm()
    form.role.choices = role_choices()
    form.team.choices = optional_choices(_teams())
    return form


def _index(form: InviteForm, status: int = 200) -> Response:
    return render(
        "people/index.html",
        status=status,
        form=form,
        memberships=_memberships(),
        pending=invitations.pending,
    )


@bp.get("/")
@requires_role(*ADMINS)
def index() -> Response:
    """The workspace's members, their roles and teams, and pending invitations."""
    return _index(_invite_form())


@bp.post("/")
@requires_role(*ADMINS)
def invite() -> Response:
    """Invite someone by e-mail (or add a person who already has an account)."""
    form = _invite_form()
    if form.validate_on_submit():
        fields = {"team": form.team.data} if form.team.data else {}
        if form.name.data:
            fields["name"] = form.name.data
        try:
            membership = invitations.invite(
                g.workspace, form.email.data, actor=current_user, role=form.role.data, **fields
            )
        except UserError as refused:
            show_errors(form, refused)
        else:
            if invitations.pending(membership):
                flash(_("Invitation sent to %(email)s.", email=membership.user.email), "success")
            else:
                flash(_("%(name)s is now a member.", name=membership.user.name), "success")
            return redirect(url_for("people.index"))
    return _index(form, status=422)


def _member_form(membership: Membership, formdata=None) -> MemberForm:
    user = membership.user
    form = MemberForm(
        formdata=formdata,
        data={
            "name": user.name,
            "role": membership.role.value,
            "team": str(membership.team_id or NONE),
            "partner_organisation": str(membership.partner_organisation_id or NONE),
            "phone": user.phone,
            "telegram_chat_id": user.telegram_chat_id,
            "locale": user.preferred_locale or NONE,
            "authorised": membership.authorised,
            "available": membership.available,
            "away_until": _local(membership.away_until),
            "capacity": membership.capacity,
            "weight": membership.weight,
            "line": membership.line,
            "manager": str(membership.manager_user_id or NONE),
            "assistant": str(membership.assistant_user_id or NONE),
        },
    )
    people = [m.user for m in _memberships() if m.active and m.id != membership.id]
    form.role.choices = role_choices()
    form.team.choices = optional_choices(_teams())
    form.partner_organisation.choices = optional_choices(_organisations())
    form.locale.choices = locale_choices(_("The workspace's"))
    form.manager.choices = optional_choices(people)
    form.assistant.choices = optional_choices(people)
    return form


def _local(moment: datetime | None) -> datetime | None:
    """A UTC moment as the workspace's wall-clock time, for a datetime-local field."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(g.workspace.time_zone)).replace(tzinfo=None)


def _utc(wall: datetime | None) -> datetime | None:
    if wall is None:
        return None
    return wall.replace(tzinfo=ZoneInfo(g.workspace.time_zone)).astimezone(UTC)


def _id(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def _changes(form: MemberForm) -> dict:
    return {
        "name": form.name.data,
        "role": form.role.data,
        "team": _id(form.team.data),
        "partner_organisation": _id(form.partner_organisation.data),
        "phone": form.phone.data or None,
        "telegram_chat_id": form.telegram_chat_id.data or None,
        "locale": form.locale.data or None,
        "authorised": form.authorised.data,
        "available": form.available.data,
        "away_until": _utc(form.away_until.data),
        "capacity": form.capacity.data,
        "weight": form.weight.data,
        "line": form.line.data,
        "manager": _id(form.manager.data),
        "assistant": _id(form.assistant.data),
    }


def _member_page(membership: Membership, form: MemberForm, status: int = 200) -> Response:
    return render(
        "people/member.html",
        status=status,
        form=form,
        membership=membership,
        pending=invitations.pending(membership),
    )


@bp.route("/<int:member_id>", methods=["GET", "POST"])
@requires_role(*ADMINS)
def member(member_id: int) -> Response:
    """A member's role, team, organisation and every field assignment and messages read."""
    membership = get_or_404(Membership, member_id)
    form = _member_form(membership, request.form if request.method == "POST" else None)
    if request.method == "GET":
        return _member_page(membership, form)
    if form.validate_on_submit():
        try:
            members.update_member(membership, _changes(form), actor=current_user)
        except UserError as refused:
            show_errors(form, refused)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("people.member", member_id=membership.id))
    return _member_page(membership, form, status=422)


def _act(member_id: int, action, done: str) -> Response:
    membership = get_or_404(Membership, member_id)
    try:
        action(membership, actor=current_user)
    except UserError as refused:
        message = (
            refused.errors[0][1] if isinstance(refused, MemberInvalid) else user_message(refused)
        )
        flash(message, "error")
    else:
        flash(done, "success")
    return redirect(url_for("people.member", member_id=membership.id))


@bp.post("/<int:member_id>/deactivate")
@requires_role(*ADMINS)
def deactivate(member_id: int) -> Response:
    """Stop the member signing in here; their open leads and tasks go to others."""
    return _act(member_id, members.deactivate_member, _("Deactivated; their leads were passed on."))


@bp.post("/<int:member_id>/reactivate")
@requires_role(*ADMINS)
def reactivate(member_id: int) -> Response:
    """Let a deactivated member back in."""
    return _act(member_id, members.reactivate_member, _("Active again."))


@bp.post("/<int:member_id>/resend")
@requires_role(*ADMINS)
def resend(member_id: int) -> Response:
    """A new invitation e-mail; the earlier link stops working."""
    return _act(member_id, invitations.resend, _("Invitation sent again."))


@bp.post("/<int:member_id>/revoke")
@requires_role(*ADMINS)
def revoke(member_id: int) -> Response:
    """Withdraw an invitation: its link stops working."""
    return _act(member_id, invitations.revoke, _("Invitation revoked."))
