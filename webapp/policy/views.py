"""A workspace configures its own policy: sections, raw document, history, diff, activation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.models import PolicyVersion, Role
from webapp.operations import policies
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped

from . import changes, documents, entries, fields, settings, summaries
from .blueprint import bp
from .forms import PolicyTextForm, SectionForm

READERS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)
EDITORS = (Role.ADMIN, Role.DIRECTOR)
SECTIONS = (
    "calendar",
    "intake",
    "duplicates",
    "assignment",
    "timers",
    "outcomes",
    "gates",
    "counters",
    "cadences",
    "answers",
    "roster",
    "reporting",
    "notifications",
    "scripts",
    "records",
    "tasks",
)


def section_label(name: str) -> str:
    """A section's name in the reader's language, from the model's metadata."""
    setting = settings.resolve({}, name)
    return _(setting.title) if setting else name


def _path_words(document: dict[str, Any]) -> Callable[[str], str]:
    """An error's path as the form's labels ('Timers / Contact SLA'), for errors shown above."""

    def words(path: str) -> str:
        try:
            return fields.group_label(document, path) if path else _("The policy")
        except (KeyError, IndexError, ValueError, TypeError):
            return path

    return words


def _checked_fields(document: dict[str, Any], section: str) -> dict[str, Any]:
    """The document with the submitted fields, or every error: the inputs' own (in the
    reader's words) and the policy's, each once, by path."""
    updated = fields.apply_form(document, section, request.form)
    own = fields.input_errors(document, section, request.form)
    try:
        documents.validate(updated)
        rest: list[tuple[str, str]] = []
    except documents.DocumentErrors as exc:
        mine = {path for path, _message in own}
        rest = [(path, message) for path, message in exc.errors if path not in mine]
    if own or rest:
        raise documents.DocumentErrors(own + rest)
    return updated


def _active_document() -> dict[str, Any]:
    version = g.workspace.active_policy_version
    return dict(version.document) if version else {}


def _versions() -> list[PolicyVersion]:
    return db.session.scalars(
        scoped(PolicyVersion)
        .options(joinedload(PolicyVersion.author))
        .order_by(PolicyVersion.number.desc())
    ).all()


def _submit(
    form: PolicyTextForm,
    build: Callable[[str], Any],
    empty: Callable[[str, Any], bool] | None = None,
) -> Response | None:
    """On a valid POST, build the document from the text, validate and store it as a new
    version; None (the errors put beside the field) when anything is refused. When `empty`
    says the text is empty, nothing is saved until the editor confirms it."""
    if not form.validate_on_submit():
        return None
    try:
        text = form.document.data or ""
        document = build(text)
        if empty is not None and empty(text, document) and not form.confirm_empty.data:
            form.confirm_empty.errors = [
                _(
                    "This is empty: saving it replaces what it held with the defaults. "
                    "Tick the box below to save it anyway."
                )
            ]
            return None
        documents.validate(document)
        version = policies.save_version(
            g.workspace,
            document,
            author=current_user,
            comment=form.comment.data,
            activate=form.activate.data,
        )
    except documents.DocumentErrors as exc:
        form.document.errors = [f"{path or '/'}: {message}" for path, message in exc.errors]
        return None
    flash(_("Saved as version %(number)d.", number=version.number), "info")
    return redirect(url_for("policy.versions"))


def _editor(form: PolicyTextForm, section: str | None, validate_url: str) -> Response:
    status = 422 if request.method == "POST" else 200
    return render(
        "policy/edit.html",
        status=status,
        form=form,
        section=section,
        section_label=section_label(section) if section else None,
        validate_url=validate_url,
    )


@bp.route("/")
@requires_role(*READERS)
def index() -> Response:
    """The active policy, section by section."""
    document = _active_document()
    sections = [
        (
            name,
            section_label(name),
            summaries.summarise(document, name),
            documents.to_yaml(document.get(name)),
        )
        for name in SECTIONS
        if name in document
    ]
    return render(
        "policy/index.html",
        sections=sections,
        active=g.workspace.active_policy_version,
        may_edit=g.membership.role in EDITORS,
    )


def _section_or_404(section: str) -> str:
    if section not in SECTIONS:
        abort(404)
    return section


@bp.route("/sections/<section>", methods=["GET", "POST"])
@requires_role(*EDITORS)
def section(section: str) -> Response:
    """Edit one section's settings as typed fields; saving makes a new version."""
    _section_or_404(section)
    document = _active_document()
    form = SectionForm()
    if request.method == "POST" and (
        saved := _submit(form, lambda _text: _checked_fields(document, section))
    ):
        return saved
    return _section_page(form, document, section)


@bp.route("/sections/<section>/check", methods=["POST"])
@requires_role(*EDITORS)
def check_section(section: str) -> Response:
    """Validate the section's fields as they are edited (htmx): errors beside each field."""
    _section_or_404(section)
    document = _active_document()
    form = SectionForm()
    try:
        _checked_fields(document, section)
    except documents.DocumentErrors as exc:
        form.document.errors = [f"{path or '/'}: {message}" for path, message in exc.errors]
    return _section_page(form, document, section, block="fields", checked=True)


def _section_page(
    form: SectionForm,
    document: dict[str, Any],
    section: str,
    block: str | None = None,
    checked: bool = False,
    refusal: tuple[str, list[str]] | None = None,
    status: int | None = None,
) -> Response:
    errors = [tuple(e.split(": ", 1)) for e in form.document.errors]
    beside, elsewhere = fields.errors_by_field(errors, document, section)
    setting_groups = fields.groups(document, section)
    shown = fields.displayed(setting_groups, request.form if request.method == "POST" else None)
    if status is None:
        status = 422 if request.method == "POST" and errors and not checked else 200
    return render(
        "policy/section.html",
        block,
        status=status,
        form=form,
        section=section,
        groups=setting_groups,
        beside=beside,
        elsewhere=elsewhere,
        shown=shown,
        checked=checked and not errors,
        section_label=section_label(section),
        summary=summaries.summarise(document, section),
        path_words=_path_words(document),
        duration_units=fields.DURATION_UNITS,
        blocks=_blocks(document, section, setting_groups),
        refusal=refusal,
    )


def _blocks(
    document: dict[str, Any], section: str, setting_groups: list[fields.Group]
) -> list[tuple[str, Any, Any]]:
    """The page in order: plain groups, and each list of entries as cards, each entry's groups
    together with its Remove button, the list's Add button after them."""
    lists = entries.lists(document, section)
    blocks: list[tuple[str, Any, Any]] = []
    cards: dict[str, dict[int, list[fields.Group]]] = {e.path: {} for e in lists}
    placed: set[str] = set()
    for group in setting_groups:
        owner = next((e for e in lists if group.path.startswith(e.path + ".")), None)
        if owner is None:
            blocks.append(("group", group, None))
            continue
        index = int(group.path[len(owner.path) + 1 :].split(".")[0])
        if owner.path not in placed:
            placed.add(owner.path)
            blocks.append(("list", owner, cards[owner.path]))
        cards[owner.path].setdefault(index, []).append(group)
    for owner in lists:
        if owner.path not in placed:
            blocks.append(("list", owner, cards[owner.path]))
    return blocks


@bp.route("/sections/<section>/yaml", methods=["GET", "POST"])
@requires_role(*EDITORS)
def section_yaml(section: str) -> Response:
    """Edit one section as YAML (to add or remove entries); saving makes a new version."""
    _section_or_404(section)
    document = _active_document()
    form = PolicyTextForm()
    if request.method == "GET":
        form.document.data = documents.to_yaml(document.get(section))
    elif saved := _submit(
        form,
        lambda text: documents.with_section(document, section, text),
        lambda text, _new: documents.is_empty(documents.parse_yaml(text, path=section)),
    ):
        return saved
    return _editor(form, section, url_for("policy.validate", section=section))


@bp.route("/edit", methods=["GET", "POST"])
@requires_role(*EDITORS)
def edit() -> Response:
    """Edit the whole document as YAML under the same validation."""
    form = PolicyTextForm()
    if request.method == "GET":
        start = request.args.get("from", type=int)
        source = get_or_404(PolicyVersion, start).document if start else _active_document()
        form.document.data = documents.to_yaml(source)
    elif saved := _submit(form, documents.parse_yaml, lambda _text, new: documents.is_empty(new)):
        return saved
    return _editor(form, None, url_for("policy.validate"))


@bp.route("/validate", methods=["POST"])
@requires_role(*EDITORS)
def validate() -> Response:
    """Validate the text being edited (htmx, as you type): the errors by path, or 'valid'."""
    text = request.form.get("document", "")
    section_name = request.args.get("section")
    try:
        if section_name in SECTIONS:
            document = documents.with_section(_active_document(), section_name, text)
        else:
            document = documents.parse_yaml(text)
        documents.validate(document)
        errors: list[tuple[str, str]] = []
    except documents.DocumentErrors as exc:
        errors = exc.errors
    return render("policy/_validation.html", errors=errors)


@bp.route("/versions")
@requires_role(*READERS)
def versions() -> Response:
    """Every version: who saved it, when, why; which is active; compare two."""
    rows = _versions()
    return render(
        "policy/versions.html",
        versions=rows,
        active_id=g.workspace.active_policy_version_id,
        may_edit=g.membership.role in EDITORS,
    )


@bp.route("/versions/<int:version_id>/activate", methods=["POST"])
@requires_role(*EDITORS)
def activate(version_id: int) -> Response:
    """Make an earlier or newer version the active one."""
    version = get_or_404(PolicyVersion, version_id)
    policies.activate_version(g.workspace, version, actor=current_user)
    flash(_("Version %(number)d is now active.", number=version.number), "info")
    return redirect(url_for("policy.versions"))


@bp.route("/diff")
@requires_role(*READERS)
def diff() -> Response:
    """What changed between two versions, in the form's words; the YAML side by side below."""
    old = get_or_404(PolicyVersion, request.args.get("a", type=int))
    new = get_or_404(PolicyVersion, request.args.get("b", type=int))
    label = _("Version %(number)d")
    table = documents.side_by_side(
        old.document,
        new.document,
        str(escape(label % {"number": old.number})),
        str(escape(label % {"number": new.number})),
    )
    return render(
        "policy/diff.html",
        old=old,
        new=new,
        table=Markup(table),
        changes=changes.changes(old.document, new.document),
    )


def _entries_or_404(document: dict[str, Any], section: str, list_path: str) -> entries.EntryList:
    _section_or_404(section)
    found = entries.find(document, section, list_path)
    if found is None:
        abort(404)
    return found


def _reader() -> str:
    return getattr(g.workspace, "locale", None) or "en"


def _new_entry_errors(new_fields: list[fields.Field], form: Any) -> list[tuple[str, str]]:
    errors = []
    for f in new_fields:
        raw = form.get(f.path, "").strip()
        if f.kind == "duration" and not (raw == "" and f.optional):
            if not raw.isdigit() or int(raw) == 0:
                errors.append((f.path, _("Enter a whole number greater than zero.")))
        elif f.widget == "number" and raw and not fields._is_number(raw):
            errors.append((f.path, _("Enter a number.")))
    return errors


def _saved_entries(document: dict[str, Any], form: SectionForm, section: str) -> Response:
    """Store the document with an entry added or removed as a new version, back to the section."""
    version = policies.save_version(
        g.workspace,
        document,
        author=current_user,
        comment=form.comment.data,
        activate=form.activate.data,
    )
    flash(_("Saved as version %(number)d.", number=version.number), "info")
    return redirect(url_for("policy.section", section=section))


@bp.route("/sections/<section>/entries/<list_path>/new", methods=["GET", "POST"])
@requires_role(*EDITORS)
def add_entry(section: str, list_path: str) -> Response:
    """Add an entry to one of the section's lists (issue 16 item 1): its fields start at the
    schema's defaults; saving makes a new version, and nothing is saved while it is refused."""
    document = _active_document()
    found = _entries_or_404(document, section, list_path)
    if found.model is None:
        abort(404)
    with_blank = entries.with_entry(document, list_path, entries.blank(document, found, _reader()))
    new_fields = entries.new_fields(with_blank, section, list_path)
    form = SectionForm()
    if not form.comment.data and request.method == "GET":
        form.comment.data = found.add_words
    errors: list[tuple[str, str]] = []
    if request.method == "POST" and form.validate_on_submit():
        updated = entries.submitted(with_blank, section, list_path, request.form, _reader())
        errors = _new_entry_errors(new_fields, request.form)
        try:
            documents.validate(updated)
        except documents.DocumentErrors as exc:
            mine = {path for path, _message in errors}
            errors += [(p, m) for p, m in exc.errors if p not in mine]
        if not errors:
            return _saved_entries(updated, form, section)
    paths = {f.path for f in new_fields}
    beside: dict[str, list[str]] = {}
    elsewhere = []
    for path, message in errors:
        if path in paths:
            beside.setdefault(path, []).append(message)
        else:
            elsewhere.append((path, message))
    group = fields.Group(f"{list_path}.{found.size}", found.add_words, new_fields)
    posted = request.method == "POST"
    return render(
        "policy/entry_new.html",
        status=422 if posted else 200,
        form=form,
        section=section,
        section_label=section_label(section),
        entries=found,
        groups=[group],
        beside=beside,
        elsewhere=elsewhere,
        shown=fields.displayed([group], request.form if posted else None),
        path_words=_path_words(with_blank),
        duration_units=fields.DURATION_UNITS,
    )


@bp.route("/sections/<section>/entries/<list_path>/<int:index>/remove", methods=["GET", "POST"])
@requires_role(*EDITORS)
def remove_entry(section: str, list_path: str, index: int) -> Response:
    """Remove an entry (issue 16 item 1), after a confirmation step; refused, beside the entry
    and in the reader's language, while something else in the policy refers to it."""
    document = _active_document()
    found = _entries_or_404(document, section, list_path)
    if index >= found.size:
        abort(404)
    name = entries.named(document, list_path, index)
    updated = entries.without_entry(document, list_path, index)
    try:
        documents.validate(updated)
    except documents.DocumentErrors as exc:
        words = _path_words(document)
        refused = [f"{words(p)}: {m}" if p else m for p, m in exc.errors]
        return _section_page(
            SectionForm(),
            document,
            section,
            refusal=(f"{list_path}.{index}", list(dict.fromkeys(refused))),
            status=422 if request.method == "POST" else 409,
        )
    form = SectionForm()
    if request.method == "GET":
        form.comment.data = _("Removed %(entry)s", entry=name)
    elif form.validate_on_submit():
        return _saved_entries(updated, form, section)
    return render(
        "policy/entry_remove.html",
        status=422 if request.method == "POST" else 200,
        form=form,
        section=section,
        section_label=section_label(section),
        entries=found,
        index=index,
        name=name,
    )
