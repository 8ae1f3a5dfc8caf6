"""rq-dashboard at /ops/rq for operators, when LEADLINE_RQ_DASHBOARD is on.

The dashboard shows and changes every workspace's jobs (RQ's queues are shared), so being a
workspace's administrator is not enough: only the signed-in users LEADLINE_OPERATORS names
(the people who run the installation) get through; everyone else is sent to sign in or
refused.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_login import current_user

from webapp.extensions import csrf, login_manager

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
    app.before_request(_operators_only)


def _operators_only() -> object:
    if request.blueprint != BLUEPRINT:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.email.lower() not in current_app.config.get("LEADLINE_OPERATORS", ()):
        abort(403)
    return None
