"""Every word translated (issue 16 item 2): no English and no raw code on an es/fr/ru page.

Each GET page of a workspace is rendered as one member of each role of each demo workspace, in
Spanish, French and Russian, with the demo's seeded data. Its visible text (a real HTML parser;
<script> and <style> skipped, attribute values skipped except title, placeholder, aria-label
and alt) must contain no English message of the catalogue (locales/messages.pot) — a msgid
whose translation differs from it — and no raw code (`contact_sla`, `upsell_callback`): a
snake_case word is a key a person should never have to read.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from tests.test_html_pages import PASSWORD, _members, _page_rules, _url_values
from tests.test_tenancy import _build
from webapp.demo import seed_demo
from webapp.extensions import db
from webapp.i18n import LOCALE_NAMES
from webapp.models import User, Workspace

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("es", "fr", "ru")
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# A policy's YAML source (<pre>, <textarea>) is the document itself, keys and all, for whoever
# edits it by hand: its words are the policy's, not the product's.
SKIPPED_ELEMENTS = {"script", "style", "template", "pre", "textarea"}
# Pages that show what a machine reads, by design: the API reference.
NOT_FOR_READING = {"api_docs.reference"}
# Placeholders of a msgid: %(name)s, %s, %d.
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")
_CODE = re.compile(r"(?<![\w@./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.parts.append(value)
        if tag == "input":
            values = dict(attrs)
            if values.get("type") in ("submit", "button") and values.get("value"):
                self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return [" ".join(part.split()) for part in parser.parts]


def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@cache
def english_left(language: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """What must not appear on a page in `language`: whole messages (matched against a whole
    text run) and, for longer or parametrised messages, their literal runs of three or more
    words (matched anywhere)."""
    template = _catalogue(LOCALES / "messages.pot")
    translated = _catalogue(LOCALES / language / "LC_MESSAGES" / "messages.po")
    whole: set[str] = set()
    pieces: set[str] = set()
    for message in template:
        if not message.id or isinstance(message.id, tuple):
            ids = message.id if isinstance(message.id, tuple) else ()
        else:
            ids = (message.id,)
        for msgid in ids:
            entry = translated.get(message.id)
            strings = entry.string if entry is not None else ""
            strings = strings if isinstance(strings, tuple) else (strings,)
            if msgid in strings or msgid in LOCALE_NAMES.values():
                continue  # the same word in this language ("Email", "OK", "WhatsApp")
            if not _PLACEHOLDER.search(msgid) and len(msgid) >= 4 and " " in msgid.strip():
                whole.add(" ".join(msgid.split()))
            elif not _PLACEHOLDER.search(msgid) and len(msgid) >= 6 and msgid[0].isupper():
                whole.add(msgid)  # a one-word label: "Reassign", "Outcome"
            for run in _PLACEHOLDER.split(msgid):
                run = " ".join(run.split()).strip(" .,:;()«»\"'—-")
                if len(run.split()) >= 3 and len(run) >= 14:
                    pieces.add(run)
    return frozenset(whole), tuple(sorted(pieces, key=len, reverse=True))


def problems(texts: list[str], language: str) -> list[str]:
    whole, pieces = english_left(language)
    found = []
    for text in texts:
        stripped = text.strip(" .,:;()«»·•→—-…")
        if stripped in whole:
            found.append(f"English {stripped!r}")
            continue
        for piece in pieces:
            if piece in text:
                found.append(f"English {piece!r} in {text[:100]!r}")
                break
        for code in _CODE.findall(text):
            found.append(f"code {code!r} in {text[:100]!r}")
    return found


@pytest.fixture
def demo(app):
    seed_demo(PASSWORD)
    return db.session.query(Workspace).order_by(Workspace.slug).all()


def test_the_text_extractor_reads_what_a_person_reads():
    texts = visible_text(
        '<p title="Hola">Texto <b>visible</b></p><script>var x_y = "Field required";</script>'
        '<input type="submit" value="Enviar"><a href="/x_y" data-k="contact_sla">ir</a>'
    )
    assert texts == ["Hola", "Texto", "visible", "Enviar", "ir"]
    assert problems(["contact_sla"], "es") == ["code 'contact_sla' in 'contact_sla'"]
    assert problems(["Reassign"], "es")
    assert not problems(["a.torres@ccima.leadline.test", "https://x.test/a_b"], "es")


def test_every_page_in_every_language_is_translated_for_every_role(app: Flask, demo):
    """Issue 16 item 2: every page, as every role, in es/fr/ru, shows no English and no code."""
    rules = [
        r
        for r in _page_rules(app)
        if r.rule.startswith("/w/<workspace>") and r.endpoint not in NOT_FOR_READING
    ]
    failures: dict[str, set[str]] = {}
    pages = 0
    covered: set = set()
    for index, workspace in enumerate(demo):
        urls = []
        for rule in rules:
            values = _url_values(rule, workspace)
            if values is not None:
                urls.append((rule.endpoint, _build(rule, values)))
        for number, member in enumerate(_members(workspace)):
            # Each member reads one language, turning with the workspace (five workspaces,
            # three languages): a third of the pages a full cross would render.
            language = LANGUAGES[(index + number) % len(LANGUAGES)]
            covered.add((member.role, language))
            user = db.session.get(User, member.user_id)
            client = app.test_client()
            signed_in = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert signed_in.status_code == 302, user.email
            user.preferred_locale = language
            db.session.commit()
            for endpoint, url in urls:
                response = client.get(url)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                pages += 1
                texts = visible_text(response.get_data(as_text=True))
                for problem in problems(texts, language):
                    failures.setdefault(problem, set()).add(
                        f"{language} {member.role.value} {endpoint}"
                    )
    assert pages > 150
    assert {language for _, language in covered} == set(LANGUAGES)
    report = [
        f"{problem}  <- {sorted(where)[0]} (+{len(where) - 1})"
        for problem, where in sorted(failures.items())
    ]
    assert not report, f"{len(report)} problems:\n" + "\n".join(report)


def test_pydantic_refusals_are_told_in_the_readers_language(app):
    """Issue 16 item 2: "Field required" is "Campo obligatorio" to a Spanish reader; the API's
    422 and every form fed by pydantic read its `type` and `ctx`, not its English `msg`."""
    from flask_babel import force_locale
    from pydantic import BaseModel, Field, ValidationError

    from webapp.validation_messages import pydantic_message

    class Sample(BaseModel):
        name: str = Field(max_length=3)
        age: int

    with pytest.raises(ValidationError) as refused:
        Sample.model_validate({"name": "abcdef"})
    errors = {e["loc"][0]: e for e in refused.value.errors()}
    with app.test_request_context(), force_locale("es"):
        assert pydantic_message(errors["age"]) == "Campo obligatorio"
        assert pydantic_message(errors["name"]) == "Escribe como máximo 3 caracteres"
    with app.test_request_context(), force_locale("ru"):
        assert pydantic_message(errors["age"]) == "Обязательное поле"
    assert pydantic_message({"type": "made_up", "msg": "as pydantic says"}) == "as pydantic says"
