"""The Audit page and its CSV export, for administrators and directors (ALL-3)."""

from __future__ import annotations

import csv
import io

from flask import g, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.audit_actions import ACTION_LABELS
from webapp.leadwork.history import Line, Reader
from webapp.models import AuditEvent
from webapp.operations import policies
from webapp.policy.labels import PolicyLabels
from webapp.rendering import render
from webapp.tenancy import requires_role

from . import queries
from .blueprint import AUDITORS, bp

FILTER_NAMES = ("person", "lead", "kind", "since", "until")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _reader(events: list[AuditEvent]) -> Reader:
    return Reader(PolicyLabels.for_request(policies.active_policy(g.workspace)), events)


def _kinds() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda x: x[1])


@bp.route("")
@requires_role(*AUDITORS)
def index() -> Response:
    """Every change in the workspace, newest first: filter by person, lead, kind, period."""
    filters = queries.read_filters(request.args)
    events, more = ([], False) if filters.errors else queries.page_of(g.workspace, filters)
    reader = _reader(events)
    return render(
        "audit/index.html",
        status=422 if filters.errors else 200,
        filters=filters,
        rows=[(e, reader.line(e)) for e in events],
        more=more,
        people=queries.people(),
        kinds=_kinds(),
        leads=queries.leads_of(events),
        query={k: v for k, v in request.args.items() if k in FILTER_NAMES and v},
    )


def cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (=, +, -, @ first: quoted)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _changes_text(line: Line) -> str:
    return "; ".join(f"{c.label}: {c.before} → {c.after}" for c in line.changes)


@bp.route("/export.csv")
@requires_role(*AUDITORS)
def export() -> Response:
    """The filtered events as CSV (all pages, up to EXPORT_MAX rows), in the reader's words."""
    filters = queries.read_filters(request.args)
    if filters.errors:
        return Response("; ".join(filters.errors.values()), 422, mimetype="text/plain")
    events = list(
        queries.db.session.scalars(
            queries.statement(g.workspace, filters).limit(queries.EXPORT_MAX)
        )
    )
    reader, leads = _reader(events), queries.leads_of(events)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("When"), _("Who"), _("What"), _("Lead"), _("Changes"), _("Why")])
    for event in events:
        line = reader.line(event)
        lead = leads[event.id].contact_name if event.id in leads else ""
        at = event.created_at.astimezone(queries.ZoneInfo(g.workspace.time_zone))
        row = [at.isoformat(timespec="seconds"), line.actor, line.title, lead]
        writer.writerow([cell(v) for v in [*row, _changes_text(line), line.reason]])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{g.workspace.slug}.csv"'
    return response
