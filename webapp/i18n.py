"""Locale and time zone of a request: the user's, else the workspace's, else the browser's."""

from __future__ import annotations

from pathlib import Path

from flask import g, has_request_context, request, session
from flask_login import current_user

SUPPORTED_LOCALES = ("en", "es", "fr", "ru")
LOCALE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "ru": "Русский"}
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


# Machine callers read English unless their Accept-Language asks for another language.
MACHINE_BLUEPRINTS = frozenset({"api", "hooks"})


def select_locale() -> str:
    """User preference → choice made before signing in → workspace → Accept-Language; the API
    and webhooks: Accept-Language, else English."""
    if not has_request_context():  # a job or a command: English unless forced
        return "en"
    if request.blueprint in MACHINE_BLUEPRINTS:
        return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en"
    if current_user.is_authenticated and current_user.preferred_locale in SUPPORTED_LOCALES:
        return current_user.preferred_locale
    if session.get("locale") in SUPPORTED_LOCALES:
        return session["locale"]
    workspace = g.get("workspace")
    if workspace is not None and workspace.locale in SUPPORTED_LOCALES:
        return workspace.locale
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en"


def select_timezone() -> str:
    """Times are shown in the workspace's zone; outside a workspace, in UTC."""
    workspace = g.get("workspace")
    return workspace.time_zone if workspace is not None else "UTC"
