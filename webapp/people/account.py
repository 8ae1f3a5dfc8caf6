"""A person's own pages: accepting an invitation, a forgotten password, their profile, and a
new workspace of their own."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp import sessions
from webapp.errors import UserError
from webapp.operations import invitations, users, workspaces
from webapp.operations.invitations import LinkRefused
from webapp.rendering import render

from .blueprint import account_bp as bp
from .blueprint import may_create_workspaces
from .forms import (
    ForgotForm,
    PasswordForm,
    ProfileForm,
    SetPasswordForm,
    WorkspaceForm,
    locale_choices,
)
from .views import show_errors


def _link_refused() -> Response:
    return render(
        "people/link_refused.html",
        status=410,
        title=_("This link no longer works"),
        text=_(
            "It has expired, was replaced by a newer one, or was already used. Nothing was"
            " changed. Ask for a new one."
        ),
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response:
    """The invited person names themselves and chooses a password, then is signed in."""
    try:
        membership = invitations.invitation_for(token)
    except LinkRefused:
        return _link_refused()
    form = SetPasswordForm(data={"name": membership.user.name})
    if request.method == "POST":
        form = SetPasswordForm()
        if form.validate_on_submit():
            try:
                user = invitations.accept(token, form.name.data or "", form.password.data)
            except LinkRefused:
                return _link_refused()
            except UserError as refused:
                show_errors(form, refused)
            else:
                sessions.begin(user)
                flash(
                    _("Welcome to %(workspace)s.", workspace=membership.workspace.name), "success"
                )
                return redirect(url_for("workspace.dashboard", workspace=membership.workspace.slug))
    status = 422 if request.method == "POST" else 200
    return render(
        "people/set_password.html", status=status, form=form, invitation=membership, title=None
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Response:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        invitations.request_reset(form.email.data)
        flash(
            _(
                "If %(email)s has an account, a link to choose a new password is on its way.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render("people/forgot.html", status=status, form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response:
    """Choose a new password from a reset link (once: the link dies with the old password)."""
    try:
        invitations.reset_user(token)
    except LinkRefused:
        return _link_refused()
    form = SetPasswordForm()
    del form.name
    if form.validate_on_submit():
        try:
            invitations.reset_password(token, form.password.data)
        except LinkRefused:
            return _link_refused()
        except UserError as refused:
            show_errors(form, refused)
        else:
            flash(_("Your password is changed. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render("people/set_password.html", status=status, form=form, invitation=None)


def _profile_form(formdata=None) -> ProfileForm:
    user = current_user
    data = {
        "phone": user.phone,
        "telegram_chat_id": user.telegram_chat_id,
        "locale": user.preferred_locale or "",
    }
    form = ProfileForm(formdata=formdata, data=data)
    form.locale.choices = locale_choices(_("The workspace's"))
    return form


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Response:
    """A member's own phone (E.164, for WhatsApp), Telegram chat id and language."""
    form = _profile_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        try:
            users.update_profile(
                current_user._get_current_object(),
                phone=form.phone.data or None,
                telegram_chat_id=form.telegram_chat_id.data or None,
                locale=form.locale.data or None,
                region=_region(),
            )
        except UserError as refused:
            show_errors(form, refused)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("account.profile"))
    status = 422 if request.method == "POST" else 200
    return render("people/profile.html", status=status, form=form, password_form=PasswordForm())


def _region() -> str:
    """The country a number without a country code is read in: the user's first workspace's."""
    memberships = [m for m in current_user.memberships if m.active]
    return memberships[0].workspace.country if memberships else "US"


@bp.post("/profile/password")
@login_required
def change_password() -> Response:
    """A new password, given the current one; every other session ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Wrong password."))
        else:
            try:
                me = current_user._get_current_object()
                users.change_password(me, form.password.data, actor=me)
            except UserError as refused:
                show_errors(form, refused)
            else:
                sessions.begin(me)  # this session lives on; the others ended
                flash(_("Your password is changed."), "success")
                return redirect(url_for("account.profile"))
    return render("people/profile.html", status=422, form=_profile_form(), password_form=form)


@bp.route("/workspaces/new", methods=["GET", "POST"])
@login_required
def new_workspace() -> Response:
    """A new workspace from a built-in profile or an empty policy; its creator administers it."""
    if not may_create_workspaces():
        return render(
            "errors/error.html",
            status=403,
            title=_("Not allowed"),
            text=_("Only this installation's operators create workspaces."),
        )
    form = WorkspaceForm()
    if form.validate_on_submit():
        try:
            workspace = workspaces.create_staffed_workspace(
                form.slug.data.strip(),
                form.name.data.strip(),
                profile=form.profile.data,
                admin=current_user,
                locale=form.locale.data,
                time_zone=form.time_zone.data.strip(),
                country=form.country.data.strip(),
                currency=(form.currency.data or "").strip() or None,
            )
        except UserError as refused:
            show_errors(form, refused)
        else:
            flash(_("Workspace %(name)s created.", name=workspace.name), "success")
            return redirect(url_for("people.index", workspace=workspace.slug))
    status = 422 if request.method == "POST" else 200
    return render("people/new_workspace.html", status=status, form=form)
