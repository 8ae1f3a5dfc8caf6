"""The interface speaks English, Spanish, French and Russian (ALL-6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from webapp.i18n import LOCALES_DIR
from webapp.models import Role
from webapp.operations.users import set_preferred_locale

ROOT = LOCALES_DIR.parent


def _source_msgids() -> set[str]:
    method_map = [
        ("webapp/**.py", "python"),
        ("workers/**.py", "python"),
        ("webapp/templates/**.html", "jinja2"),
    ]
    ids = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT),
        method_map,
        keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)},
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


@pytest.mark.parametrize("locale", ["es", "fr", "ru"])
def test_catalogue_translates_every_string_of_the_code(locale):
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with Path(path).open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    translated = {}
    for message in catalogue:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = all(strings) and not message.fuzzy
    missing = sorted(_source_msgids() - {k for k, ok in translated.items() if ok})
    assert missing == [], f"untranslated in {locale}: run `leadline i18n extract` and translate"


def test_sign_in_page_follows_the_browser_language(client):
    page = client.get("/login", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert "Connexion à Leadline" in page.get_data(as_text=True)


def test_workspace_language_applies_when_the_user_has_none(client, make_workspace, login_as):
    workspace = make_workspace(slug="mx", locale="es")
    login_as(Role.AGENT, workspace)
    page = client.get("/w/mx/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Cerrar sesión" in page


def test_user_preference_beats_the_workspace_language(client, make_workspace, login_as):
    workspace = make_workspace(slug="mx", locale="es")
    user = login_as(Role.AGENT, workspace)
    set_preferred_locale(user, "ru")
    page = client.get("/w/mx/").get_data(as_text=True)
    assert "Выйти" in page


def test_choosing_a_language_is_remembered_on_the_account(client, make_workspace, login_as):
    workspace = make_workspace(slug="ca")
    user = login_as(Role.AGENT, workspace)
    response = client.post("/language", data={"locale": "fr", "next": "/w/ca/"})
    assert response.headers["Location"] == "/w/ca/"
    assert "Se déconnecter" in client.get("/w/ca/").get_data(as_text=True)
    from webapp.extensions import db

    db.session.refresh(user)
    assert user.preferred_locale == "fr"


def test_plurals_and_numbers_follow_the_locale(client, make_workspace, make_lead, login_as):
    workspace = make_workspace(slug="ru", locale="ru")
    user = login_as(Role.AGENT, workspace)
    for _ in range(3):
        make_lead(workspace, owner=user)
    page = client.get("/w/ru/").get_data(as_text=True)
    assert "лида назначены вам" in page  # Russian "few" form for 3


def test_error_page_is_in_the_users_language(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert page.status_code == 404
    assert "Página no encontrada" in page.get_data(as_text=True)
