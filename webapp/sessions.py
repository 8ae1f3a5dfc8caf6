"""Signed-in sessions that end when they should (ASVS 3.3, 3.2.1).

The session cookie names the user and their session epoch (`User.get_id`); a cookie whose
epoch is no longer the user's is nobody's, so raising the epoch (sign-out, password change,
deactivation) ends every copy of every cookie of that user. Each session also records when it
began and when it was last used: past the idle timeout or the absolute lifetime it is over.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, session, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from webapp.clock import now
from webapp.config import SessionLifetime
from webapp.extensions import db, htmx, login_manager
from webapp.models import User
from webapp.operations.users import end_sessions
from webapp.redirects import safe_next

# What survives signing in or out: the visitor's choice of language.
_KEPT = ("locale",)
_BEGAN, _SEEN = "signed_in_at", "seen_at"


def _restart_session() -> None:
    """A fresh session (new CSRF token, nothing of the old one) keeping only `_KEPT`."""
    kept = {key: session[key] for key in _KEPT if key in session}
    session.clear()
    session.update(kept)


def begin(user: User) -> None:
    """Sign `user` in on a new session: no value set before sign-in carries over."""
    _restart_session()
    login_user(user)
    session.permanent = True
    session[_BEGAN] = session[_SEEN] = int(now().timestamp())


def end(user: User) -> None:
    """Sign out: this session and every other session of `user` end."""
    end_sessions(user)
    logout_user()
    _restart_session()


def load_user(session_id: str) -> User | None:
    """The user a session names, if that session is still theirs (same epoch, active)."""
    user_id, _, epoch = session_id.partition(".")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None  # a cookie from before epochs existed: sign in again
    user = db.session.get(User, int(user_id))
    if user is None or user.session_epoch != int(epoch) or not user.active:
        return None
    return user


def enforce_lifetime() -> None:
    """Before each request: a session past its idle timeout or absolute lifetime ends."""
    if "_user_id" not in session:
        return
    limits: SessionLifetime = current_app.config["LEADLINE_SESSION_LIFETIME"]
    moment = int(now().timestamp())
    began, seen = session.get(_BEGAN), session.get(_SEEN)
    if (
        not isinstance(began, int)
        or not isinstance(seen, int)
        or moment - began > limits.max_seconds
        or moment - seen > limits.idle_seconds
    ):
        logout_user()
        _restart_session()
        return
    if moment != seen:
        session[_SEEN] = moment


def _page_to_return_to() -> str | None:
    """The page the visitor was on: for an htmx fragment, the page holding it."""
    if htmx and not htmx.boosted:
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        if page.netloc != request.host:
            return None
        return safe_next(page.path + (f"?{page.query}" if page.query else ""))
    return safe_next(request.full_path.rstrip("?"))


def sign_in_first() -> Response:
    """Signed out (or expired): to the sign-in page, back here afterwards.

    An htmx fragment request would swap the sign-in page into the fragment: it is told to
    load the page instead (HX-Redirect, to our own validated path only).
    """
    target = url_for("auth.login", next=_page_to_return_to())
    if htmx and not htmx.boosted:
        return Response(status=401, headers={"HX-Redirect": target})
    return redirect(target)


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(sign_in_first)
    app.before_request(enforce_lifetime)
