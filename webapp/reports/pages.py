"""A report's own page and fragment (its chart and the same figures as a table), and its
CSV and XLSX downloads, in the reader's language."""

from __future__ import annotations

import json

from flask import abort, g, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.models import Role
from webapp.rendering import render, wants_fragment
from webapp.tenancy import requires_role

from . import export, formatting
from .blueprint import bp
from .compute import Report
from .service import ReportInvalid, ask

READERS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER, Role.AGENT)  # as the weekly page
FORMATS = {"csv": export.CSV_TYPE, "xlsx": export.XLSX_TYPE}
MINUTE = 60


def _asked(metric: str) -> Report:
    """The report the URL asks for; unknown names 404, bad parameters a 422 page."""
    return ask(g.workspace, g.membership, metric, request.args)


def chart_data(report: Report, column: str, kind: str) -> str:
    """The chart's JSON for static/reports.js: labels, one series, its unit (durations drawn
    in minutes)."""
    spec = next((c for c in report.metric.columns if c.code == column), report.metric.columns[0])
    values = [row[spec.code] for row in report.rows]
    if spec.unit == "seconds":
        values = [None if v is None else round(v / MINUTE, 1) for v in values]
        label = _("%(figure)s (minutes)", figure=spec.label)
    elif spec.unit == "share":
        values = [None if v is None else round(v * 100, 1) for v in values]
        label = _("%(figure)s (%%)", figure=spec.label)
    else:
        label = str(spec.label)
    return json.dumps(
        {
            "type": kind,
            "labels": [str(r["label"]) for r in report.rows],
            "label": label,
            "data": values,
            "whole": spec.unit == "count",  # counts: no tick at 0.2 of a lead
        }
    )


@bp.get("/<metric>")
@requires_role(*READERS)
def chart(metric: str) -> Response:
    """One report for the asked period and dimension: chart and table (a fragment for htmx)."""
    try:
        report = _asked(metric)
    except ReportInvalid as error:
        if any(field == "name" for field, _m in error.fields):
            abort(404)
        return render(
            "reports/report.html", "report", status=422, errors=dict(error.fields), report=None
        )
    column = request.args.get("column", "")
    kind = "line" if request.args.get("kind") == "line" else "bar"
    header, rows = formatting.table(report)
    return render(
        "reports/report.html",
        "report",
        report=report,
        header=header,
        rows=rows,
        chart=chart_data(report, column, kind),
        open_table=not wants_fragment(),  # on the dashboard the chart leads, the table folds
        args={k: v for k, v in request.args.items() if k in ("period", "from", "to", "group_by")},
        errors={},
    )


@bp.get("/<metric>/export.<fmt>")
@requires_role(*READERS)
def download(metric: str, fmt: str) -> Response:
    """The report as CSV (as the table shows it) or XLSX (labels translated, plain numbers)."""
    if fmt not in FORMATS:
        abort(404)
    try:
        report = _asked(metric)
    except ReportInvalid:
        abort(404)
    body = export.to_csv(*formatting.table(report)) if fmt == "csv" else export.report_xlsx(report)
    name = f"{report.metric.name}_{report.cut.period.first}_{report.cut.period.last}.{fmt}"
    return Response(
        body,
        content_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
