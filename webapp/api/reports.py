"""Reports over the API: the metrics the workspace's policy shows, and one metric's figures
for a period cut by a dimension, as JSON or CSV."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import g, request
from pydantic import BaseModel, ConfigDict, Field, RootModel
from werkzeug.wrappers import Response

from webapp.operations import policies
from webapp.reports import catalogue, export, formatting
from webapp.reports.service import ReportInvalid, ask

from .blueprint import ApiError, endpoint, respond

# What a partner organisation's key may read: the metrics over the leads (cut to the ones
# given to its organisation by tenancy.scoped). Work queues, commissions and the department's
# own figures are the agency's: 403.
PARTNER_METRICS = frozenset(
    {
        "leads_received",
        "speed_to_lead",
        "sla_compliance",
        "contact_rate",
        "conversion",
        "won_revenue",
        "leads_lost",
    }
)


def _refused(name: str | None = None) -> ApiError | None:
    """A partner organisation's key reads only PARTNER_METRICS, its organisation's figures
    (any other key has passed the route's role: a manager's or above)."""
    if g.api_key.partner_organisation_id is None:
        return None
    if name is None or name in PARTNER_METRICS:
        return None
    return ApiError(403, "a partner organisation's API key may not read this report")


class ReportInfo(BaseModel):
    name: str
    label: str
    dimensions: list[str]
    unit: str


class ReportInfoList(RootModel[list[ReportInfo]]):
    pass


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: date | None = Field(None, alias="from", description="First local date (YYYY-MM-DD).")
    to: date | None = Field(None, description="Last local date, included.")
    period: Literal["today", "week", "last_30_days", "custom"] | None = None
    group_by: str | None = Field(None, max_length=40, description="One of the metric's dimensions.")
    format: Literal["json", "csv"] = "json"


class ReportResult(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=True)

    metric: str
    from_: date = Field(alias="from")
    to: date
    group_by: str | None
    rows: list[dict[str, Any]]
    total: dict[str, Any]


@endpoint(
    "GET",
    "/reports",
    summary="List the reports",
    responses={200: ReportInfoList},
    errors=(401, 403, 429),
    role="manager",
    partner=True,
    tags=("reports",),
)
def reports() -> Response:
    """The metrics this workspace's policy shows, with the dimensions each can be cut by (a
    manager's key or above; a partner organisation's key: the ones over its leads)."""
    if (refused := _refused()) is not None:
        raise refused
    shown = catalogue.shown(policies.active_policy(g.workspace))
    if g.api_key.partner_organisation_id is not None:
        shown = [m for m in shown if m.name in PARTNER_METRICS]
    return respond(
        ReportInfoList(
            [
                ReportInfo(
                    name=m.name, label=str(m.label), dimensions=list(m.dimensions), unit=m.unit
                )
                for m in shown
            ]
        )
    )


def _json_row(row: dict[str, Any], columns) -> dict[str, Any]:
    return {"key": row["key"], "label": str(row["label"]), **{c.code: row[c.code] for c in columns}}


@endpoint(
    "GET",
    "/reports/<name>",
    summary="One report's figures",
    query=ReportQuery,
    responses={200: ReportResult},
    errors=(401, 403, 404, 422, 429),
    role="manager",
    partner=True,
    tags=("reports",),
)
def report(name: str) -> Response:
    """A metric's figures for a period of local dates (this week by default), cut by
    `group_by`, with the total; `format=csv` for the same as CSV. A partner organisation's
    key gets its organisation's figures only."""
    if (refused := _refused(name)) is not None:
        raise refused
    args = {k: v for k, v in request.args.items() if v != ""}
    unknown = sorted(set(args) - {"from", "to", "period", "group_by", "format"})
    fields = [(k, "not a parameter of this route") for k in unknown]
    if args.get("format", "json") not in ("json", "csv"):
        fields.append(("format", "one of json, csv"))
    try:
        result = ask(g.workspace, None, name, args)
    except ReportInvalid as error:
        fields += error.fields
        result = None
    if fields:
        raise ApiError(422, "invalid input", fields)
    if args.get("format") == "csv":
        return Response(export.to_csv(*formatting.raw(result)), content_type=export.CSV_TYPE)
    columns = result.metric.columns
    return respond(
        ReportResult(
            metric=result.metric.name,
            from_=result.cut.period.first,
            to=result.cut.period.last,
            group_by=result.cut.dimension,
            rows=[_json_row(r, columns) for r in result.rows],
            total=_json_row(result.total, columns),
        )
    )
