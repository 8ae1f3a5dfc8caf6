"""Reading an uploaded CSV file: its encoding, its delimiter, its header and its rows.

A file is refused whole (`CsvRefused`) when it cannot be read as a table with a header; a
row that merely has a bad value is the dry run's business, not this module's.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

# 100,000 rows of name, phone, e-mail and company fit (about 6 MB), under the request cap.
MAX_MIB = 8
MAX_BYTES = MAX_MIB * 1024 * 1024
DELIMITERS = ",;\t"
SAMPLE_CHARS = 64 * 1024
# A few rows of the wrong width are reported as row errors; more means we misread the file.
RAGGED_TOLERANCE = 0.1
RAGGED_ALLOWED = 2
_LOOKS_LIKE_DATA = re.compile(r"^[\d\s()+.,/-]+$|@")
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
csv.field_size_limit(MAX_BYTES)


class CsvRefused(ValueError):
    """The file as a whole cannot be imported; `message` says why, in the user's words."""

    def __init__(self, message: str) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Row:
    line: int  # the file's line where the record starts; the header is line 1
    values: tuple[str, ...]  # as many as the header has columns, padded with ""
    width: int  # how many values the line really had


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[Row, ...]

    def ragged(self) -> list[Row]:
        return [row for row in self.rows if row.width != len(self.header)]


def too_large() -> str:
    return _l("The file is larger than %(size)d MiB. Split it into smaller files.", size=MAX_MIB)


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and its encoding: UTF-8 (with or without BOM), else Latin-1."""
    if len(data) > MAX_BYTES:
        raise CsvRefused(too_large())
    if b"\x00" in data:
        raise CsvRefused(_l("This is not a CSV file: it holds binary data."))
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    if _CONTROL.search(text[:SAMPLE_CHARS]):
        raise CsvRefused(_l("This is not a CSV file: it holds binary data."))
    return text, encoding


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab, whichever the file uses (a one-column file: comma)."""
    sample = text[:SAMPLE_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _records(text: str, delimiter: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, start = [], 1
    try:
        for values in reader:
            if any(v.strip() for v in values):
                rows.append(Row(start, tuple(values), len(values)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise CsvRefused(
            _l("Line %(line)d cannot be read as CSV (%(error)s).", line=start, error=str(error))
        ) from error
    return rows


def _header(first: Row | None) -> tuple[str, ...]:
    if first is None:
        raise CsvRefused(_l("The file is empty."))
    names = tuple(v.strip() for v in first.values)
    if first.line != 1 or not all(names) or any(_LOOKS_LIKE_DATA.search(n) for n in names):
        raise CsvRefused(
            _l("The first line must name the columns (a header such as: Name, Phone, E-mail).")
        )
    seen = {n.casefold() for n in names}
    if len(seen) != len(names):
        raise CsvRefused(_l("Two columns of the header have the same name."))
    return names


def _fit(row: Row, width: int) -> Row:
    values = row.values
    while len(values) > width and not values[-1].strip():  # trailing separators are harmless
        values = values[:-1]
    padded = values[:width] + ("",) * (width - len(values))
    return Row(row.line, padded, len(values))


def parse(text: str, delimiter: str) -> Table:
    """The header and the non-blank rows of `text`; refuses a file that is not a table."""
    records = _records(text, delimiter)
    header = _header(records[0] if records else None)
    table = Table(header, tuple(_fit(r, len(header)) for r in records[1:]))
    if not table.rows:
        raise CsvRefused(_l("The file has a header but no rows."))
    ragged = len(table.ragged())
    if ragged > max(RAGGED_ALLOWED, RAGGED_TOLERANCE * len(table.rows)):
        raise CsvRefused(
            ngettext(
                "%(num)d row does not have as many values as the header has columns: "
                "is this a CSV file with one header line?",
                "%(num)d rows do not have as many values as the header has columns: "
                "is this a CSV file with one header line?",
                ragged,
            )
        )
    return table


def read(data: bytes) -> tuple[Table, str, str, str]:
    """Decode, sniff and parse an upload: (table, text, encoding, delimiter)."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    return parse(text, delimiter), text, encoding, delimiter
