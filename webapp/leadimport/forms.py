"""Forms of the import pages: the upload, and the mapping's selects as posted."""

from __future__ import annotations

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from tenants import Policy
from webapp.lead_csv.mapping import FIELDS, IGNORE, attribute, policy_attributes
from webapp.lead_csv.parsing import MAX_BYTES, CsvRefused, too_large
from webapp.policy.labels import PolicyLabels


class UploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])

    def read(self) -> bytes:
        """The uploaded bytes; refuses a file over the cap without reading all of it."""
        data = self.file.data.stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise CsvRefused(too_large())
        return data


def choices(column: str, policy: Policy) -> list[tuple[str, str]]:
    """The options of one column's select: a lead field, an attribute, or nothing."""
    labels = PolicyLabels.for_request(policy)
    options = [(field, str(label)) for field, label in FIELDS.items()]
    names = policy_attributes(policy)
    options += [(attribute(n), labels.field(n)) for n in names]
    if column not in names:
        options.append((attribute(column), str(_l("Attribute “%(name)s”", name=column))))
    return [*options, (IGNORE, str(_l("Do not import")))]


class MappingForm(FlaskForm):
    """Carries the CSRF token; the selects are named `column-<index>` after the header."""


def field_name(index: int) -> str:
    return f"column-{index}"


def posted_mapping(header: tuple[str, ...], policy: Policy) -> dict[str, str]:
    """The mapping the selects posted; a value no select offers is a bad request."""
    mapping = {}
    for index, column in enumerate(header):
        value = request.form.get(field_name(index), "")
        if value not in {key for key, _label in choices(column, policy)}:
            abort(400)
        mapping[column] = value
    return mapping
