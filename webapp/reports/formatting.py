"""A report's values in the reader's locale (ALL-6): counts, durations, shares, money."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import (
    format_currency,
    format_decimal,
    format_number,
    format_percent,
    format_timedelta,
)

from webapp.report_fields import NOTHING

from .compute import Report
from .labels import DIMENSION_LABELS
from .registry import COUNT, MONEY, RATIO, SECONDS, SHARE


def value(unit: str, number: Any, currency: str = "USD") -> str:
    if number is None:
        return NOTHING
    if unit == COUNT:
        return format_number(number)
    if unit == SECONDS:
        return format_timedelta(timedelta(seconds=number), threshold=1.5, granularity="second")
    if unit == SHARE:
        return format_percent(number, "#,##0.0%")
    if unit == MONEY:
        return format_currency(number, currency)
    if unit == RATIO:
        return format_decimal(number, "#,##0.0#")
    return str(number)


def table(report: Report) -> tuple[list[str], list[list[str]]]:
    """The report as header and rows of text, the total last: for pages and exports."""
    metric, currency = report.metric, report.cut.workspace.currency
    header = [dimension_label(report.cut.dimension), *(str(c.label) for c in metric.columns)]
    body = [
        [str(row["label"]), *(value(c.unit, row[c.code], currency) for c in metric.columns)]
        for row in [*report.rows, report.total]
    ]
    return header, body


def raw(report: Report) -> tuple[list[str], list[list[Any]]]:
    """The report as codes and plain numbers (the API's CSV, spreadsheet cells)."""
    header = ["group", *(c.code for c in report.metric.columns)]
    body = [
        [row["label"], *(row[c.code] for c in report.metric.columns)]
        for row in [*report.rows, report.total]
    ]
    return header, body


def dimension_label(dimension: str | None) -> str:
    return str(DIMENSION_LABELS.get(dimension or "", DIMENSION_LABELS[""]))
