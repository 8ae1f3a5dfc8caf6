"""Signing in and out, choosing a workspace, choosing a language."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from webapp import sessions
from webapp.extensions import db
from webapp.models import User
from webapp.operations.users import set_preferred_locale
from webapp.redirects import redirect_next, safe_next
from webapp.rendering import render
from webapp.security import check_password, clear_failures, record_failure, retry_after
from webapp.tenancy import redirect_to_home

from .blueprint import bp
from .forms import LanguageForm, LoginForm


@bp.route("/")
def index() -> Response:
    """Front door: the sign-in page, or the user's workspace."""
    if current_user.is_authenticated:
        return redirect_to_home()
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect_to_home()
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        address = request.remote_addr or "unknown"
        wait = retry_after(email, address)
        if wait:
            message = _(
                "Too many failed attempts. Try again in %(wait)s.",
                wait=format_timedelta(timedelta(seconds=wait), threshold=1.1),
            )
            form.password.errors.append(message)
            return _login_page(form, 429, {"Retry-After": str(wait)})
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        # The same work whether or not the address is known, or the user active.
        password_ok = check_password(user.password_hash if user else None, form.password.data)
        if user is not None and password_ok and user.active:
            clear_failures(email, address)
            sessions.begin(user)
            target = safe_next(request.args.get("next"))
            return redirect(target) if target else redirect_to_home()
        record_failure(email, address)
        form.password.errors.append(_("Wrong e-mail or password."))
        status = 401
    elif request.method == "POST":
        status = 400
    return _login_page(form, status)


def _login_page(form: LoginForm, status: int, headers: dict[str, str] | None = None) -> Response:
    response = render(
        "auth/login.html", "content", status=status, form=form, language_form=LanguageForm()
    )
    response.headers.update(headers or {})
    return response


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Sign out."""
    if current_user.is_authenticated:
        sessions.end(current_user._get_current_object())
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/workspaces")
@login_required
def workspaces() -> Response:
    """The workspaces this user belongs to, to pick one."""
    memberships = sorted(current_user.memberships, key=lambda m: m.workspace.name.lower())
    return render("auth/workspaces.html", "content", memberships=memberships)


@bp.route("/language", methods=["POST"])
def language() -> Response:
    """Remember the chosen language: on the account when signed in, else in the session."""
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            set_preferred_locale(current_user, form.locale.data)
        else:
            session["locale"] = form.locale.data
    return redirect_next(request.form.get("next"), url_for("auth.index"))
