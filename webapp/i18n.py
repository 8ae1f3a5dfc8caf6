"""Locale and time zone of a request: the user's, else the workspace's, else the browser's."""

from __future__ import annotations

from pathlib import Path

from flask import g, request, session
from flask_login import current_user

SUPPORTED_LOCALES = ("en", "es", "fr", "ru")
LOCALE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "ru": "Русский"}
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def select_locale() -> str:
    """User preference → choice made before signing in → workspace → Accept-Language."""
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
