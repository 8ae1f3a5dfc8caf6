"""The offer-rate report page and its CSV export (TEL-6..TEL-9), and the accruals export
(TEL-10): managers and directors see everyone, each agent their own figures."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.models import Accrual, Role
from webapp.operations import campaigns, policies
from webapp.rendering import render
from webapp.tenancy import requires_role, scoped

from . import forms, report
from .blueprint import bp

READERS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER, Role.AGENT)
STAFF = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHART_HEIGHT = 120


def safe_cell(value: object) -> object:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def _period() -> tuple[report.Period, dict]:
    today = campaigns.local_day(g.workspace)
    default = report.Period.last_days(today)
    errors: dict[str, str] = {}
    values = {}
    for name in ("from", "to"):
        raw = request.args.get(name, "")
        try:
            values[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[name] = _("Enter a date as YYYY-MM-DD.")
            values[name] = None
    period = report.Period(values["from"] or default.start, values["to"] or default.end)
    if period.end < period.start:
        errors["to"] = _("The period ends before it starts.")
        period = default
    return period, errors


def _own() -> int | None:
    return current_user.id if g.membership.role not in STAFF else None


@bp.get("/report")
@requires_role(*READERS)
def offer_rate() -> Response:
    """Offer rate for a period per agent, team or campaign, with the daily trend."""
    period, errors = _period()
    group_by = request.args.get("group_by", "agent")
    if group_by not in report.GROUPINGS:
        group_by = "agent"
    total, rows = report.offer_rate(g.workspace, period, group_by, _own())
    if request.args.get("format") == "csv":
        return _csv(total, rows, group_by)
    days = report.daily(g.workspace, period, _own())
    return render(
        "interactions/report.html",
        status=422 if errors else 200,
        period=period,
        errors=errors,
        group_by=group_by,
        total=total,
        rows=rows,
        days=days,
        chart=_chart(days),
        target=report.target(policies.active_policy(g.workspace)),
        own=_own() is not None,
    )


def _chart(days: list[report.Figures]) -> list[dict]:
    """Bars of the daily rate drawn server-side: x, height and label per day."""
    width = 36
    return [
        {
            "x": i * (width + 8),
            "w": width,
            "h": round(CHART_HEIGHT * (d.rate or 0) / 100),
            "day": d.key,
            "rate": d.rate,
        }
        for i, d in enumerate(days)
    ]


def _csv(total: report.Figures, rows: list[report.Figures], group_by: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            group_by,
            "counted",
            "offered",
            "missed",
            "transferred",
            "second_line",
            "exception",
            "rate",
            "yes",
            "no",
            "think",
            "conversion",
        ]
    )
    for f in [*rows, total]:
        writer.writerow(
            [
                safe_cell(f.key or _("Total")),
                f.counted,
                f.offered,
                f.missed,
                f.excluded["transferred"],
                f.excluded["second_line"],
                f.excluded["exception"],
                f.rate if f.rate is not None else "",
                f.yes,
                f.no,
                f.think,
                f.conversion if f.conversion is not None else "",
            ]
        )
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=offer-rate.csv"
    return response


@bp.get("/accruals.csv")
@requires_role(*STAFF)
def accruals_export() -> Response:
    """Every accrual of the workspace as CSV (TEL-10)."""
    rows = db.session.scalars(
        scoped(Accrual)
        .options(joinedload(Accrual.agent), joinedload(Accrual.campaign))
        .order_by(Accrual.id)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "created_at",
            "ctn",
            "kind",
            "category",
            "amount",
            "subject",
            "comment",
            "campaign",
            "agent",
        ]
    )
    for a in rows:
        writer.writerow(
            [
                a.created_at.isoformat(),
                a.ctn,
                safe_cell(str(forms.label(forms.ACCRUAL_KINDS, a.kind))),
                safe_cell(str(forms.label(forms.ACCRUAL_CATEGORIES, a.category))),
                a.amount,
                safe_cell(a.subject),
                safe_cell(a.comment),
                safe_cell(a.campaign.code if a.campaign else ""),
                safe_cell(a.agent.name if a.agent else ""),
            ]
        )
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=accruals.csv"
    return response
