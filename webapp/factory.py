"""Leadline's Flask application factory (imported on first use of `webapp.create_app`)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp import error_pages, headers, redis_client
from webapp.config import Settings
from webapp.extensions import babel, csrf, db, htmx, login_manager
from webapp.i18n import LOCALES_DIR, select_locale, select_timezone
from webapp.rendering import add_vary_header

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


def create_app(config: dict[str, Any] | None = None, *, migrations: bool = True) -> Flask:
    """Build the app from the environment; `config` overrides (tests pass their own).

    `migrations=False` leaves out Flask-Migrate, and with it Alembic (about 11 MiB a process):
    the web and worker processes of `leadline up` never migrate (`workers.prepare` does).
    """
    instance_path = os.environ.get("LEADLINE_INSTANCE_PATH")
    app = Flask("webapp", instance_path=instance_path, instance_relative_config=True)
    settings = Settings.from_env(Path(app.instance_path))
    app.config.update(settings.flask_config())
    if config:
        app.config.update(config)

    _init_extensions(app)
    if migrations:
        from flask_migrate import Migrate

        Migrate(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    _register_blueprints(app)
    error_pages.init_app(app)
    app.after_request(add_vary_header)
    headers.init_app(app)
    from webapp.ops import setup as operability

    operability.init_app(app)  # JSON logs, request ids, HTTP metrics, operators' commands

    from webapp import cli, template_helpers

    template_helpers.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=app.config.get("LEADLINE_LOCALES_DIR", str(LOCALES_DIR)),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the sign-in page explains itself
    redis_client.init_app(app)

    from webapp import sessions

    sessions.init_app(app)


# A feature's view modules attach their routes to the blueprint of its `blueprint.py` when
# they are imported; every one of them is named here.
VIEW_MODULES = (
    "webapp.auth.views",
    "webapp.workspace.views",
    "webapp.workspace.list_actions",
    "webapp.policy.views",
    "webapp.policy.replay_views",
    "webapp.policy.from_profile",
    "webapp.people.views",
    "webapp.people.groups",
    "webapp.people.account",
    "webapp.leadimport.views",
    "webapp.settings.views",
    "webapp.settings.delivery",
    "webapp.queue.views",
    "webapp.leadwork.views",
    "webapp.leadwork.lost_views",
    "webapp.leadwork.edit_views",
    "webapp.reports.views",
    "webapp.reports.pages",
    "webapp.reports.schedule_views",
    "webapp.inbox.views",
    "webapp.console.views",
    "webapp.roster.views",
    "webapp.roster.confirm",
    "webapp.roster.whatsapp",
    "webapp.probes.views",
    "webapp.interactions.views",
    "webapp.interactions.campaign_views",
    "webapp.interactions.report_views",
    "webapp.audit.views",
    "webapp.portal.views",
    "webapp.portal.agency",
    "webapp.portal.library",
)


def _register_blueprints(app: Flask) -> None:
    for name in VIEW_MODULES:
        importlib.import_module(name)
    from webapp.api import bp as api_bp
    from webapp.api import docs_bp, hooks_bp
    from webapp.audit.blueprint import bp as audit_bp
    from webapp.auth.blueprint import bp as auth_bp
    from webapp.console.blueprint import bp as console_bp
    from webapp.inbox import views as inbox_views
    from webapp.inbox.blueprint import bp as inbox_bp
    from webapp.interactions.blueprint import bp as interactions_bp
    from webapp.interactions.blueprint import campaigns_bp
    from webapp.leadimport.blueprint import bp as imports_bp
    from webapp.leadwork.blueprint import bp as leadwork_bp
    from webapp.people.blueprint import account_bp
    from webapp.people.blueprint import bp as people_bp
    from webapp.policy.blueprint import bp as policy_bp
    from webapp.policy.blueprint import replay_bp
    from webapp.portal.blueprint import bp as portal_bp
    from webapp.probes.blueprint import bp as probes_bp
    from webapp.queue.blueprint import bp as queue_bp
    from webapp.reports.blueprint import bp as reports_bp
    from webapp.roster.blueprint import bp as roster_bp
    from webapp.roster.blueprint import link_bp as roster_link_bp
    from webapp.roster.blueprint import whatsapp_bp as whatsapp_inbound_bp
    from webapp.settings.blueprint import bp as settings_bp
    from webapp.workspace.blueprint import bp as workspace_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(workspace_bp)
    app.register_blueprint(policy_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(replay_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(docs_bp)
    app.register_blueprint(hooks_bp)
    app.register_blueprint(queue_bp)
    app.register_blueprint(leadwork_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(interactions_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(portal_bp)
    inbox_views.init_app(app)
    app.register_blueprint(console_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(roster_bp)
    app.register_blueprint(roster_link_bp)
    app.register_blueprint(whatsapp_inbound_bp)
    app.register_blueprint(probes_bp)
    if app.config.get("LEADLINE_RQ_DASHBOARD"):
        from webapp.console import rq_dashboard

        rq_dashboard.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite: foreign keys enforced, WAL so readers never wait for the writer."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
