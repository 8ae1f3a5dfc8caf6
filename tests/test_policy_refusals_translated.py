# ruff: noqa: RUF001  (French apostrophes and Cyrillic letters are the point)
"""Issue 16 item 2, "Every word translated": the policy engine's refusals (tenants/) and the
policy document parser's (webapp/policy/documents.py) read in the reader's language, beside
the field of the policy editor, in its YAML editor and in the API's 422 for PUT /api/v1/policy;
the engine itself, its logs and English readers keep the English text exactly."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from tenants import PolicyInvalid, load_policy
from tenants.errors import Refusal
from tenants.profiles import load_profile
from tests.policy_forms import form_values
from webapp.extensions import db
from webapp.models import PolicyVersion, Role
from webapp.operations.api_keys import create_api_key
from webapp.validation_messages import PYDANTIC_MESSAGES

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("es", "fr", "ru")
# What the reader sees for each bad value, per language.
ZONE = {
    "es": "zona horaria desconocida 'Mars/Olympus'; use un nombre IANA como 'Europe/London'",
    "fr": "fuseau horaire inconnu 'Mars/Olympus' ; utilisez un nom IANA comme 'Europe/London'",
    "ru": "неизвестный часовой пояс 'Mars/Olympus'; используйте название IANA, например "
    "'Europe/London'",
}
TIME = {
    "es": "'8 y media' no es una hora del día; use HH:MM, p. ej. '09:00'",
    "fr": "'8 y media' n’est pas une heure ; utilisez HH:MM, par exemple '09:00'",
    "ru": "'8 y media' — не время суток; используйте ЧЧ:ММ, например '09:00'",
}
DURATION = {
    "es": "'diez minutos' no es una duración; use un número y s, m, h, d o w: '10m'",
    "fr": "'diez minutos' n’est pas une durée ; utilisez un nombre suivi de s, m, h, d ou w : "
    "'10m'",
    "ru": "'diez minutos' — не длительность; укажите число и s, m, h, d или w: '10m'",
}
ENGLISH = (
    "is not a duration",
    "is not a time of day",
    "unknown time zone",
    "use an IANA name",
    "Field required",
    "unknown setting",
)


def _workspace(make_workspace, locale: str):
    return make_workspace(
        slug=f"refusals-{locale}",
        locale=locale,
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )


def _shown(page: str) -> str:
    return html.unescape(page)


def _no_english(page: str) -> None:
    for words in ENGLISH:
        assert words not in page, words


@pytest.mark.parametrize("locale", LANGUAGES)
def test_issue_16_item_2_form_fields_refuse_in_the_readers_language(
    client, make_workspace, login_as, locale
):
    workspace = _workspace(make_workspace, locale)
    login_as(Role.DIRECTOR, workspace)
    base = f"/w/{workspace.slug}/policy/sections"

    form = form_values(client.get(f"{base}/calendar").get_data(as_text=True))
    form["calendar.time_zone"] = "Mars/Olympus"
    form["comment"] = "typo"
    response = client.post(f"{base}/calendar", data=form)
    assert response.status_code == 422
    page = _shown(response.get_data(as_text=True))
    beside = re.search(
        r'<ul class="errors" id="f-calendar-time_zone-errors">(.*?)</ul>', page, re.S
    )
    assert beside is not None and ZONE[locale] in beside.group(1)
    _no_english(page)

    form = form_values(client.get(f"{base}/roster").get_data(as_text=True))
    form["roster.send_time"] = "8 y media"
    fragment = _shown(
        client.post(f"{base}/roster/check", data=form, headers={"HX-Request": "true"}).get_data(
            as_text=True
        )
    )
    beside = re.search(
        r'<ul class="errors" id="f-roster-send_time-errors">(.*?)</ul>', fragment, re.S
    )
    assert beside is not None and TIME[locale] in beside.group(1)
    _no_english(fragment)
    assert (
        db.session.scalar(select(PolicyVersion.number).order_by(PolicyVersion.number.desc())) == 1
    )


@pytest.mark.parametrize("locale", LANGUAGES)
def test_issue_16_item_2_yaml_editor_refuses_in_the_readers_language(
    client, make_workspace, login_as, locale
):
    workspace = _workspace(make_workspace, locale)
    login_as(Role.DIRECTOR, workspace)
    timers = "- name: contact_sla\n  duration: diez minutos\n  starts_on: lead.created\n"
    response = client.post(
        f"/w/{workspace.slug}/policy/sections/timers/yaml",
        data={"document": timers, "comment": "typo"},
    )
    assert response.status_code == 422
    page = _shown(response.get_data(as_text=True))
    assert DURATION[locale] in page
    _no_english(page)
    # The parser's own refusals too: an alias, as typed in the live check.
    live = _shown(
        client.post(
            f"/w/{workspace.slug}/policy/validate",
            data={"document": "a: &x [1]\nb: *x\n"},
            headers={"HX-Request": "true"},
        ).get_data(as_text=True)
    )
    alias = {
        "es": "YAML no válido (línea 2, columna 4): los alias (*nombre) no están permitidos",
        "fr": "YAML non valide (ligne 2, colonne 4) : les alias (*nom) ne sont pas admis",
        "ru": "недопустимый YAML (строка 2, столбец 4): псевдонимы (*имя) не допускаются",
    }
    assert alias[locale] in live
    assert "not valid YAML" not in live and "are not allowed" not in live
    # PyYAML's commonest problems are said in the reader's words as well.
    colon = _shown(
        client.post(
            f"/w/{workspace.slug}/policy/validate",
            data={"document": "a: b: c\n"},
            headers={"HX-Request": "true"},
        ).get_data(as_text=True)
    )
    assert "mapping values are not allowed here" not in colon
    assert {"es": "aquí no se admite", "fr": "n’est pas admise ici", "ru": "не допускается"}[
        locale
    ] in colon


def test_issue_16_item_2_api_names_every_bad_path_in_spanish(client, make_workspace):
    workspace = _workspace(make_workspace, "es")
    key = create_api_key(workspace, "t", actor=None, role="director")[1]
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": "es"}
    document = client.get("/api/v1/policy", headers=headers).json["document"]
    document["calendar"]["time_zone"] = "Mars/Olympus"
    document["roster"]["send_time"] = "8 y media"
    document["timers"][0]["duration"] = "diez minutos"
    document["timers"][0]["colour"] = "red"
    response = client.put("/api/v1/policy", json=document, headers=headers)
    assert response.status_code == 422
    fields = {f["path"]: f["message"] for f in response.json["error"]["fields"]}
    assert fields == {
        "calendar.time_zone": ZONE["es"],
        "roster.send_time": TIME["es"],
        "timers.0.duration": DURATION["es"],
        "timers.0.colour": "ajuste desconocido",
    }
    # Without Accept-Language a machine reads English, exactly as the engine words it.
    del headers["Accept-Language"]
    english = client.put("/api/v1/policy", json=document, headers=headers).json["error"]["fields"]
    assert {f["path"]: f["message"] for f in english}["timers.0.duration"] == (
        "'diez minutos' is not a duration; use a number and s, m, h, d or w: '10m'"
    )
    # The cross-section checks, which run once every section is valid, as well.
    document = client.get("/api/v1/policy", headers=headers).json["document"]
    document["duplicates"]["invalid_status"] = "nope"
    headers["Accept-Language"] = "es"
    refused = client.put("/api/v1/policy", json=document, headers=headers).json["error"]
    assert [(f["path"], f["message"].split(";")[0]) for f in refused["fields"]] == [
        ("duplicates.invalid_status", "estado desconocido 'nope'")
    ]
    versions = client.get("/api/v1/policy/versions", headers=headers).json["versions"]
    assert [v["number"] for v in versions] == [1]


def test_issue_16_item_2_a_value_that_is_itself_a_refusal_is_translated(app):
    from flask_babel import refresh

    from tenants.markers import N_
    from webapp.validation_messages import engine_message

    nothing = Refusal(N_("(none defined)"))
    refusal = Refusal(
        N_("unknown script %(code)r; allowed: %(allowed)s"), code="x", allowed=nothing
    )
    assert refusal == "unknown script 'x'; allowed: (none defined)"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert engine_message(refusal) == "script inconnu 'x' ; admis : (aucun défini)"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the test's app context outlives one request: forget the French
        assert engine_message(refusal) == "unknown script 'x'; allowed: (none defined)"


def test_issue_16_item_2_refusals_stay_english_text_for_the_engine():
    with pytest.raises(PolicyInvalid) as caught:
        load_policy({"calendar": {"time_zone": "Mars/Olympus"}, "timers": [{"name": "x"}]})
    messages = dict(caught.value.errors)
    zone = messages["calendar.time_zone"]
    assert zone == "unknown time zone 'Mars/Olympus'; use an IANA name like 'Europe/London'"
    assert isinstance(zone, Refusal) and zone.params == {"value": "Mars/Olympus"}
    assert zone.template == "unknown time zone %(value)r; use an IANA name like 'Europe/London'"
    assert messages["timers.0.duration"] == "Field required"
    assert messages["timers.0.duration"].pydantic["type"] == "missing"


def _refusal_templates() -> set[str]:
    """Every refusal msgid of tenants/ and webapp/ (the policy document parser's and the
    UserErrors of webapp/operations, webapp/api, ...): in a module that makes Refusals, each
    N_("...") that is not a label or help text (those are keyword arguments, title=N_(...));
    and the pydantic messages the web layer says them with."""
    found = set(PYDANTIC_MESSAGES.values())
    for path in [*(ROOT / "tenants").rglob("*.py"), *(ROOT / "webapp").rglob("*.py")]:
        tree = ast.parse(path.read_text())
        if "Refusal" not in {getattr(node, "id", None) for node in ast.walk(tree)}:
            continue
        keyword_values = {
            id(node.value) for node in ast.walk(tree) if isinstance(node, ast.keyword)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "N_"
                and id(node) not in keyword_values
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_issue_16_item_2_every_refusal_is_translated_in_es_fr_ru():
    templates = _refusal_templates()
    assert len(templates) >= 50
    placeholders = re.compile(r"%\([a-z_]+\)[sr]")
    for language in LANGUAGES:
        path = ROOT / f"locales/{language}/LC_MESSAGES/messages.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        for template in templates:
            message = catalogue.get(template)
            assert message is not None and message.string, (language, template)
            assert not message.fuzzy, (language, template)
            assert sorted(placeholders.findall(message.string)) == sorted(
                placeholders.findall(template)
            ), (language, template)


def test_issue_16_item_2_no_user_error_is_raised_with_english_text():
    """A UserError's message is a Refusal (N_ msgid + values) or an already translated
    gettext: never a bare English literal or f-string a Spanish reader would see."""
    bare = []
    for path in (ROOT / "webapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "UserError"
                and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant | ast.JoinedStr)
            ):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bare == []


def test_issue_16_item_2_user_errors_and_unknown_codes_are_refusals(app):
    """The operations' refusals (webapp/operations) are msgids with values, English outside a
    request, the reader's language inside one; UnknownCode says one sentence per kind."""
    from flask_babel import force_locale

    from tenants.errors import UnknownCode
    from webapp.errors import UserError
    from webapp.operations.users import create_user
    from webapp.validation_messages import user_message

    with pytest.raises(UserError) as caught:
        create_user("nobody", "long enough password", "Nobody")
    assert str(caught.value) == "not an e-mail address"
    assert caught.value.message.template == "not an e-mail address"
    unknown = UnknownCode("answer set", "nope", ["a", "b"])
    assert str(unknown) == "unknown answer set 'nope'; allowed: a, b"
    with app.test_request_context("/"), force_locale("es"):
        assert user_message(caught.value) == "No es una dirección de correo electrónico"
        assert str(caught.value) == "No es una dirección de correo electrónico"
        refused = UserError("outcome", unknown.refusal)
        assert str(refused) == "Conjunto de respuestas desconocido 'nope'; permitidos: a, b"
