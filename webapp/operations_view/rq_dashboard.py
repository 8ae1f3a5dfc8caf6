"""rq-dashboard at /ops/rq for operators, when LEADLINE_RQ_DASHBOARD is on.

The dashboard shows and changes every workspace's jobs (RQ's queues are shared), so only a
signed-in administrator of at least one workspace gets through; everyone else is sent to
sign in or refused.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask_login import current_user
from sqlalchemy import select

from webapp.extensions import csrf, db, login_manager
from webapp.models import Membership, Role

URL_PREFIX = "/ops/rq"
BLUEPRINT = "rq_dashboard"  # the name its templates build their URLs with


def init_app(app: Flask) -> None:
    """Mount the dashboard behind Leadline's own sign-in."""
    import rq_dashboard

    redis_url = app.config.get("REDIS_URL")
    if not redis_url:
        raise RuntimeError("LEADLINE_RQ_DASHBOARD needs REDIS_URL (`leadline up` sets it)")
    # Set under its own name: given only REDIS_URL it warns that the name is deprecated.
    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", redis_url)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=URL_PREFIX)
    # Connects on every page from the URL above (it reads no app extension of ours).
    rq_dashboard.web.setup_rq_connection(app)
    # Its buttons post with jQuery and no CSRF token; the session cookie is SameSite=Lax, so
    # another site cannot post with it.
    csrf.exempt(rq_dashboard.blueprint)
    app.before_request(_admins_only)


def _admins_only() -> object:
    if request.blueprint != BLUEPRINT:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    administers = db.session.scalar(
        select(Membership.id)
        .where(Membership.user_id == current_user.id, Membership.role == Role.ADMIN)
        .limit(1)
    )
    if administers is None:
        abort(403)
    return None
