"""Every word translated (issue 16 item 2): no English and no raw code on an es/fr/ru page.

Each GET page of a workspace is rendered as one member of each role of each demo workspace, in
Spanish, French and Russian, with the demo's seeded data. Its visible text (a real HTML parser;
<script> and <style> skipped, attribute values skipped except title, placeholder, aria-label
and alt) must contain no English message of the catalogue (locales/messages.pot) — a msgid
whose translation differs from it — and no raw code (`contact_sla`, `upsell_callback`): a
snake_case word is a key a person should never have to read.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import update

from tests import support
from tests.policy_forms import form_values
from tests.test_html_pages import PASSWORD, _members, _page_rules, _url_values
from tests.test_tenancy import PLAIN_VALUES, _build
from webapp import policy_versions as policies
from webapp.demo import ADMIN_EMAIL, seed_demo
from webapp.extensions import db
from webapp.i18n import LOCALE_NAMES
from webapp.job_names import NOTIFICATION_DELIVER
from webapp.models import ChannelSettings, Lead, Membership, Role, User, Workspace
from webapp.operations import assignment, invitations, outcomes, unit
from webapp.operations.notifications import queue_message
from webapp.policy.views import SECTIONS
from workers import runtime

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


@cache
def _pieces_pattern(language: str) -> re.Pattern[str]:
    """The English runs as one alternation, longest first: one scan of a text, not one each."""
    return re.compile("|".join(re.escape(piece) for piece in english_left(language)[1]))


def problems(texts: list[str], language: str) -> list[str]:
    whole = english_left(language)[0]
    pieces = _pieces_pattern(language)
    found = []
    for text in texts:
        stripped = text.strip(" .,:;()«»·•→—-…")
        if stripped in whole:
            found.append(f"English {stripped!r}")
            continue
        if piece := pieces.search(text):
            found.append(f"English {piece.group()!r} in {text[:100]!r}")
        for code in _CODE.findall(text):
            found.append(f"code {code!r} in {text[:100]!r}")
    return found


def test_the_text_extractor_reads_what_a_person_reads():
    texts = visible_text(
        '<p title="Hola">Texto <b>visible</b></p><script>var x_y = "Field required";</script>'
        '<input type="submit" value="Enviar"><a href="/x_y" data-k="contact_sla">ir</a>'
    )
    assert texts == ["Hola", "Texto", "visible", "Enviar", "ir"]
    assert problems(["contact_sla"], "es") == ["code 'contact_sla' in 'contact_sla'"]
    assert problems(["Reassign"], "es")
    assert not problems(["a.torres@ccima.leadline.test", "https://x.test/a_b"], "es")


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


@dataclass
class Reader:
    """One member of one role of one demo workspace, signed in once for the whole module."""

    slug: str
    role: str
    client: FlaskClient
    urls: list[tuple[str, str]]


@dataclass
class Site:
    readers: list[Reader]
    lead_ids: dict[str, int]
    # (reader, url, htmx) → worth reading (a 200 page, or a fragment): learnt by the first
    # language that asks, so the others skip what only refuses or repeats the whole page.
    readable: dict[tuple[int, str, bool], bool] = field(default_factory=dict)
    # One refusal (403, 404...) of each status, read again in every language.
    refusals: dict[int, tuple[int, str]] = field(default_factory=dict)
    whole_for_htmx: set[str] = field(default_factory=set)


def _act_on(workspace: Workspace, admin: User) -> int:
    """What a page shows only after someone acts: an outcome and a reassignment on the lead the
    crawl opens (its timeline), and a WhatsApp message its endpoint refused (the outbox)."""
    lead = db.session.query(Lead).filter_by(workspace_id=workspace.id).first()
    policy = policies.active_policy(workspace)
    if policy.outcomes.codes:
        outcomes.record_outcome(
            lead, policy.outcomes.codes[0].code, actor=admin, note="Llamada breve"
        )
    others = [
        m
        for m in db.session.query(Membership).filter_by(workspace_id=workspace.id)
        if m.role in (Role.AGENT, Role.MANAGER) and m.user_id != lead.owner_id
    ]
    if others:
        assignment.reassign(lead, db.session.get(User, others[0].user_id), actor=admin)
    db.session.add(
        ChannelSettings(
            workspace_id=workspace.id,
            channel="whatsapp",
            base_url="http://127.0.0.1:1/",  # nothing listens: the delivery fails
            phone_number_id="1",
            token="t",
            enabled=True,
        )
    )
    admin.phone = admin.phone or "+1 415 555 0100"
    db.session.commit()
    with unit.transaction():
        row = queue_message(
            workspace.id,
            admin,
            "whatsapp",
            "contact_sla_missed",
            {"contact_name": lead.contact_name},
            key=f"crawl-{workspace.id}",
        )
    if row is not None:
        runtime.perform(NOTIFICATION_DELIVER, row.id)
    return lead.id


@pytest.fixture(scope="module")
def site(_migrated_app: Flask, redis_url: str) -> Iterator[Site]:
    """The demo, seeded once for the module (it takes seconds), acted on, every reader signed
    in; emptied afterwards as the `app` fixture empties after each test."""
    Redis.from_url(redis_url).flushdb()
    runtime.use_app(_migrated_app)
    with _migrated_app.app_context():
        seed_demo(PASSWORD)
        admin = db.session.query(User).filter_by(email=ADMIN_EMAIL).one()
        rules = [
            r
            for r in _page_rules(_migrated_app)
            if r.rule.startswith("/w/<workspace>") and r.endpoint not in NOT_FOR_READING
        ]
        readers, lead_ids = [], {}
        for workspace in db.session.query(Workspace).order_by(Workspace.slug).all():
            lead_ids[workspace.slug] = _act_on(workspace, admin)
            urls = []
            for rule in rules:
                values = _url_values(rule, workspace)
                if values is not None:
                    urls.append((rule.endpoint, _build(rule, values)))
            # Every section of the policy, as the one who edits it (the crawl's rule names one).
            sections = [
                ("policy.section", f"/w/{workspace.slug}/policy/sections/{section}")
                for section in SECTIONS
                if section != PLAIN_VALUES["section"]
            ]
            for member in _members(workspace):
                user = db.session.get(User, member.user_id)
                client = _migrated_app.test_client()
                signed_in = client.post("/login", data={"email": user.email, "password": PASSWORD})
                assert signed_in.status_code == 302, user.email
                mine = urls + sections if member.role == Role.ADMIN else urls
                readers.append(Reader(workspace.slug, member.role.value, client, mine))
        yield Site(readers, lead_ids)
        db.session.remove()
    support.wipe(_migrated_app)


def _read_in(language: str) -> None:
    """Every member reads `language` (their own choice, as on the profile page)."""
    db.session.execute(update(User).values(preferred_locale=language))
    db.session.commit()


HX = {"HX-Request": "true"}


class _Findings:
    def __init__(self, language: str) -> None:
        self.language = language
        self.pages = self.fragments = 0
        self.where: dict[str, set[str]] = {}

    def read(self, response, where: str) -> None:
        self.pages += 1
        self.fragments += where.endswith("(htmx)")
        for problem in problems(visible_text(response.get_data(as_text=True)), self.language):
            self.where.setdefault(problem, set()).add(f"{self.language} {where}")

    def report(self) -> str:
        lines = [
            f"{problem}  <- {sorted(where)[0]} (+{len(where) - 1})"
            for problem, where in sorted(self.where.items())
        ]
        return f"{len(lines)} problems:\n" + "\n".join(lines)


def _is_html(response) -> bool:
    return response.mimetype == "text/html"


def _get(site: Site, index: int, url: str, htmx: bool, where: str, findings: _Findings) -> bool:
    """Read one page (or its fragment) if it is worth reading; False when it is not."""
    if site.readable.get((index, url, htmx)) is False:
        return False
    response = site.readers[index].client.get(url, headers=HX if htmx else {})
    if response.status_code != 200:
        if _is_html(response) and response.status_code not in site.refusals:
            site.refusals[response.status_code] = (index, url)
        site.readable[(index, url, htmx)] = False
        return False
    whole = response.get_data(as_text=True).lstrip().lower().startswith("<!doctype")
    worth = _is_html(response) and not (htmx and whole)
    site.readable[(index, url, htmx)] = worth
    if worth:
        findings.read(response, where)
    return worth


def _crawl(site: Site, findings: _Findings) -> None:
    for index, reader in enumerate(site.readers):
        for endpoint, url in reader.urls:
            where = f"{reader.role} {endpoint}"
            if not _get(site, index, url, False, where, findings):
                continue
            # Whether HX-Request gets a fragment is the view's: asked once per endpoint.
            if endpoint in site.whole_for_htmx:
                continue
            if not _get(site, index, url, True, f"{where} (htmx)", findings):
                site.whole_for_htmx.add(endpoint)
    for status, (index, url) in sorted(site.refusals.items()):
        reader = site.readers[index]
        response = reader.client.get(url)
        assert response.status_code == status, url
        findings.read(response, f"{reader.role} {url} ({status})")


def _bad_file() -> dict:
    return {"file": (io.BytesIO(b"\x00\xff\xfe not,a\ncsv"), "leads.xlsx")}


def _refused_forms(site: Site, findings: _Findings) -> Counter[int]:
    """The answers to forms posted empty or wrong, as the workspace's administrator."""
    answered: Counter[int] = Counter()
    for reader in site.readers:
        if reader.role != "admin":
            continue
        w, lead = f"/w/{reader.slug}", site.lead_ids[reader.slug]
        posts: list[tuple[str, dict, dict]] = [
            (f"{w}/people/", {"data": {"email": "not an address", "role": ""}}, {}),
            (f"{w}/people/teams", {"data": {"name": ""}}, {}),
            (f"{w}/people/organisations", {"data": {"name": ""}}, {}),
            (f"{w}/people/workspace", {"data": {"name": ""}}, {}),
            (f"{w}/leads/new", {"data": {"contact_name": "", "email": "nope"}}, {}),
            (f"{w}/leads/{lead}/edit", {"data": {"contact_name": "", "email": "x@"}}, HX),
            (f"{w}/leads/{lead}/outcome", {"data": {"channel": "call"}}, HX),
            (f"{w}/leads/{lead}/outcome", {"data": {"channel": "call"}}, {}),
            (f"{w}/queue/leads/{lead}/reassign", {"data": {"to": ""}}, HX),
            (f"{w}/leads/import/", {"data": _bad_file()}, {}),
            (f"{w}/leads/import/", {"data": {}, "content_type": "multipart/form-data"}, {}),
            ("/profile/password", {"data": {"current": "wrong", "password": "x"}}, {}),
        ]
        section = reader.client.get(f"{w}/policy/sections/timers")
        if section.status_code == 200:
            values = form_values(section.get_data(as_text=True))
            for key in list(values):
                if re.fullmatch(r"-?\d+(\.\d+)?", values[key] or ""):
                    values[key] = "-7 days and a half"
            posts.append((f"{w}/policy/sections/timers", {"data": values}, {}))
        for url, body, headers in posts:
            response = reader.client.post(url, headers=headers, **body)
            assert response.status_code < 500, url
            if response.status_code in (301, 302, 303) or not _is_html(response):
                continue
            answered[response.status_code] += 1
            findings.read(response, f"admin POST {url} ({response.status_code})")
    return answered


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_every_language_is_translated_for_every_role(site: Site, language):
    """Issue 16 item 2: every page (and its htmx fragment), as every role of every demo
    workspace, in es, fr and ru, shows no English and no code; so do the answers to refused
    forms, a lead's timeline after an outcome and a reassignment, the outbox with a failed
    delivery and the policy's versions."""
    _read_in(language)
    findings = _Findings(language)
    _crawl(site, findings)
    crawled = findings.pages
    forms = _refused_forms(site, findings)
    print(
        f"\n{language}: {crawled} pages and fragments ({findings.fragments} fragments), "
        f"{forms.total()} refused forms "
        f"(by status {dict(sorted(forms.items()))}), {len(site.readers)} readers "
        f"({len({r.slug for r in site.readers})} workspaces)"
    )
    assert crawled > 900 and forms[422] > 20
    assert not findings.where, findings.report()


def test_public_pages_in_every_language(site: Site):
    """Issue 16 item 2: sign-in, password reset, an invitation and the error pages, in the
    language chosen before signing in."""
    admin = db.session.query(User).filter_by(email=ADMIN_EMAIL).one()
    workspace = db.session.query(Workspace).order_by(Workspace.slug).first()
    membership = invitations.invite(workspace, "crawl-invitee@example.test", actor=admin)
    invitation = invitations._serializer("invitation").dumps(
        {"m": membership.id, "n": membership.invitation_nonce}
    )
    reset = invitations._serializer("password-reset").dumps(
        {"u": admin.id, "h": invitations._fingerprint(admin)}
    )
    pages = 0
    failures = []
    for language in LANGUAGES:
        findings = _Findings(language)
        client = site.readers[0].client.application.test_client()
        client.post("/language", data={"locale": language, "next": "/login"})
        gets = ["/login", "/password/forgot", f"/password/reset/{reset}", "/password/reset/x",
                f"/invitation/{invitation}", "/invitation/x", "/no-such-page"]  # fmt: skip
        for url in gets:
            response = client.get(url)
            assert _is_html(response), url
            findings.read(response, f"GET {url} ({response.status_code})")
        for url, data in (
            ("/login", {"email": "nobody@example.test", "password": "wrong"}),
            ("/password/forgot", {"email": ""}),
            (f"/password/reset/{reset}", {"password": "short"}),
            (f"/invitation/{invitation}", {"name": "", "password": "short"}),
        ):
            response = client.post(url, data=data)
            if response.status_code not in (301, 302, 303) and _is_html(response):
                findings.read(response, f"POST {url} ({response.status_code})")
        pages += findings.pages
        if findings.where:
            failures.append(findings.report())
    print(f"\npublic: {pages} pages in {len(LANGUAGES)} languages")
    assert not failures, "\n".join(failures)


def test_what_leadline_wrote_itself_is_told_in_the_readers_language(site: Site):
    """Issue 16 item 2: stored English the catalogue cannot see on a page — a delivery's error
    (the WhatsApp endpoint refused), the first policy version's comment, the demo's notes —
    reads in the reader's language."""
    _read_in("es")
    admin = next(r for r in site.readers if r.slug == "ccima" and r.role == "admin")
    operations = admin.client.get("/w/ccima/operations/").get_data(as_text=True)
    assert "No se pudo conectar con http://127.0.0.1:1/1/messages" in operations
    assert "Could not reach" not in operations
    versions = admin.client.get("/w/ccima/policy/versions").get_data(as_text=True)
    assert "política inicial" in versions and "initial policy" not in versions
    leads = admin.client.get("/w/ccima/leads?q=Demo").get_data(as_text=True)
    assert ">demo<" not in leads
