"""CSV import pages: upload a file, map its columns and dry-run it, watch the job, read the
result."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.htmx_answers import poll_status
from webapp.lead_csv import checking
from webapp.lead_csv.mapping import FIELDS, column_of, problems
from webapp.lead_csv.parsing import MAX_MIB, CsvRefused, parse
from webapp.models import ImportState, LeadImport, Role
from webapp.operations import lead_imports, policies
from webapp.rendering import render, wants_fragment
from webapp.tenancy import get_or_404, requires_role, scoped

from .blueprint import bp
from .forms import MappingForm, UploadForm, choices, field_name, posted_mapping

IMPORTERS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)
ERRORS_SHOWN = 200
STATE_LABELS = {
    ImportState.UPLOADED: _l("not started"),
    ImportState.QUEUED: _l("queued"),
    ImportState.RUNNING: _l("running"),
    ImportState.DONE: _l("done"),
    ImportState.FAILED: _l("failed"),
}


def _recent() -> list[LeadImport]:
    return db.session.scalars(
        scoped(LeadImport).order_by(LeadImport.created_at.desc(), LeadImport.id.desc()).limit(10)
    ).all()


@bp.route("/", methods=["GET", "POST"])
@requires_role(*IMPORTERS)
def new() -> Response:
    """Upload a CSV file of leads (at most MAX_MIB mebibytes)."""
    form = UploadForm()
    if form.validate_on_submit():
        try:
            lead_import = lead_imports.upload(
                g.workspace, form.file.data.filename, form.read(), actor=current_user
            )
        except CsvRefused as refused:
            form.file.errors.append(refused.message)
        else:
            return redirect(url_for("imports.preview", import_id=lead_import.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "leadimport/upload.html",
        status=status,
        form=form,
        recent=_recent(),
        labels=STATE_LABELS,
        max_mib=MAX_MIB,
    )


def _load(import_id: int) -> LeadImport:
    return get_or_404(LeadImport, import_id)


def describe(error: dict[str, Any]) -> str:
    """A row error in the reader's words."""
    if error["field"] == checking.WIDTH:
        return _(
            "This line has %(width)d values; the header has %(columns)d columns.",
            width=error["width"],
            columns=error["columns"],
        )
    return error["message"]


def _where(error: dict[str, Any], mapping: dict[str, str]) -> str:
    """The column (or lead field) a row error is about."""
    if error["field"] == checking.WIDTH:
        return ""
    column = column_of(mapping, error["field"])
    return column if column is not None else str(FIELDS.get(error["field"], error["field"]))


def _errors(errors: list[dict[str, Any]], mapping: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"line": e["line"], "where": _where(e, mapping), "text": describe(e)}
        for e in errors[:ERRORS_SHOWN]
    ]


def _preview_page(lead_import: LeadImport, mapping: dict[str, str], **extra: Any) -> dict:
    policy = policies.active_policy(g.workspace)
    table = parse(lead_import.content, lead_import.delimiter)
    dry = checking.dry_run(g.workspace, policy, table, mapping)
    columns = [
        {
            "name": column,
            "field": field_name(index),
            "chosen": mapping.get(column, ""),
            "choices": choices(column, policy),
            "sample": table.rows[0].values[index] if table.rows else "",
        }
        for index, column in enumerate(table.header)
    ]
    return {
        "lead_import": lead_import,
        "form": MappingForm(),
        "header": table.header,
        "columns": columns,
        "dry": dry,
        "errors": _errors(dry.errors, mapping),
        "hidden_errors": max(0, len(dry.errors) - ERRORS_SHOWN),
        "problems": problems(mapping),
        **extra,
    }


@bp.route("/<int:import_id>/preview", methods=["GET", "POST"])
@requires_role(*IMPORTERS)
def preview(import_id: int) -> Response:
    """Map the columns and dry-run every row (nothing is written); POST re-checks a mapping."""
    lead_import = _load(import_id)
    if lead_import.state != ImportState.UPLOADED:
        return redirect(url_for("imports.show", import_id=lead_import.id))
    mapping = dict(lead_import.mapping)
    if request.method == "POST":
        mapping = posted_mapping(tuple(lead_import.mapping), policies.active_policy(g.workspace))
    return render("leadimport/preview.html", "dryrun", **_preview_page(lead_import, mapping))


@bp.route("/<int:import_id>/start", methods=["POST"])
@requires_role(*IMPORTERS)
def start(import_id: int) -> Response:
    """Confirm the mapping and queue the import."""
    lead_import = _load(import_id)
    if lead_import.state != ImportState.UPLOADED:
        return redirect(url_for("imports.show", import_id=lead_import.id))
    mapping = posted_mapping(tuple(lead_import.mapping), policies.active_policy(g.workspace))
    try:
        lead_imports.start(lead_import, mapping, actor=current_user)
    except UserError:
        page = _preview_page(lead_import, mapping)
        return render("leadimport/preview.html", status=422, **page)
    return redirect(url_for("imports.show", import_id=lead_import.id))


def _result_page(lead_import: LeadImport) -> dict[str, Any]:
    errors = lead_import.row_errors or []
    return {
        "lead_import": lead_import,
        "errors": _errors(errors, lead_import.mapping),
        "hidden_errors": max(0, len(errors) - ERRORS_SHOWN),
    }


@bp.route("/<int:import_id>")
@requires_role(*IMPORTERS)
def show(import_id: int) -> Response:
    """One import: a progress bar while it runs, the counts and the bad rows once done."""
    lead_import = _load(import_id)
    if lead_import.state == ImportState.UPLOADED:
        return redirect(url_for("imports.preview", import_id=lead_import.id))
    return render("leadimport/import.html", **_result_page(lead_import))


@bp.route("/<int:import_id>/status")
@requires_role(*IMPORTERS)
def status(import_id: int) -> Response:
    """The polled status fragment; answers 286 once finished so htmx stops polling."""
    lead_import = _load(import_id)
    if not wants_fragment():
        return redirect(url_for("imports.show", import_id=lead_import.id))
    return render(
        "leadimport/import.html",
        "status",
        status=poll_status(lead_import.finished),
        **_result_page(lead_import),
    )
