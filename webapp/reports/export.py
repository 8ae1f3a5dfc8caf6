"""A report as a CSV or XLSX download in the reader's language; a cell a spreadsheet would
take for a formula (starting with =, +, - or @) is escaped with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from typing import Any

from .compute import Report
from .formatting import dimension_label

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
SHEET_FORBIDDEN = set("[]:*?/\\")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe(cell: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made inert (numbers are left alone)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _header(report: Report) -> list[str]:
    return [dimension_label(report.cut.dimension), *(str(c.label) for c in report.metric.columns)]


def _rows(report: Report) -> list[list[Any]]:
    return [
        [str(row["label"]), *(row[c.code] for c in report.metric.columns)]
        for row in [*report.rows, report.total]
    ]


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe(c) for c in header])
    writer.writerows([[safe(c) for c in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


def report_csv(report: Report, shown: tuple[list[str], list[list[str]]]) -> bytes:
    """The report as the page shows it (values in the reader's locale)."""
    return to_csv(*shown)


def report_xlsx(report: Report) -> bytes:
    """The report as a sheet: labels in the reader's language, figures as numbers."""
    return workbook_xlsx([report])


def workbook_xlsx(reports: list[Report]) -> bytes:
    """One sheet per report, named after its metric (a scheduled report's attachment)."""
    from openpyxl import Workbook  # about 12 MiB: loaded by the first XLSX download only

    book = Workbook()
    book.remove(book.active)
    for report in reports:
        sheet = book.create_sheet(_sheet_title(report, book.sheetnames))
        sheet.append([safe(c) for c in _header(report)])
        for row in _rows(report):
            sheet.append([safe(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(report: Report, taken: list[str]) -> str:
    """The metric's label as a sheet may be named: 31 characters, none of []:*?/\\, unique."""
    title = "".join(" " if c in SHEET_FORBIDDEN else c for c in str(report.metric.label))[:31]
    title, n = title or report.metric.name[:31], 2
    while title in taken:
        suffix = f" ({n})"
        title, n = title[: 31 - len(suffix)] + suffix, n + 1
    return title
