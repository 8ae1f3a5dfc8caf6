"""The attributes a workspace's policy asks a new lead for, as the New lead form shows them:
a label in the reader's language, an input of the field's kind, and whether it is required."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tenants import Policy
from tenants.policy.common import label_for
from webapp.extensions import db
from webapp.models import PartnerOrganisation, Workspace
from webapp.operations.intake_checks import FIELD_ALIASES, FILLED_BY_INTAKE, LIMITS
from webapp.policy.labels import PolicyLabels
from webapp.tenancy import owned_by

# The lead's own columns; the form has a fixed input for each.
COLUMNS = frozenset(LIMITS) | {"lead_type", "rating", "channel"}
YES_NO = (("yes", _l("Yes")), ("no", _l("No")))
YES_WORDS = ("yes", "true", "1", "on", "y")
INPUT_TYPES = {"number": "number", "date": "date", "datetime": "datetime-local", "phone": "tel"}


@dataclass(frozen=True)
class PolicyInput:
    """One attribute input of the form."""

    code: str
    label: str
    kind: str
    required: bool  # by the policy's required fields, whatever the lead type
    for_types: tuple[str, ...] = ()  # lead types whose qualification asks for it (CPB-1)
    choices: tuple[tuple[str, str], ...] = field(default=())

    @property
    def name(self) -> str:
        return f"attr_{self.code}"

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.kind, "text")

    @property
    def is_select(self) -> bool:
        return bool(self.choices) or self.kind in ("select", "yes_no", "organisation")


def column_name(name: str) -> str | None:
    """The lead column a policy field name stands for, if it is one."""
    column = FIELD_ALIASES.get(name, name)
    return column if column in COLUMNS else None


def attribute_names(policy: Policy) -> list[str]:
    """Attributes the policy requires, qualifies or defines, in that order."""
    names = [n for n in policy.intake.required_fields if n not in FILLED_BY_INTAKE]
    for lead_type in policy.intake.lead_types:
        names += lead_type.qualification_fields
    names += [f.code for f in policy.intake.fields]
    return [n for n in dict.fromkeys(names) if column_name(n) is None]


def _choices(workspace: Workspace, policy: Policy, code: str, locale: str):
    definition = policy.intake.field(code)
    kind = definition.kind if definition else "text"
    if kind == "select":
        return kind, tuple(
            (c.code, label_for(c.labels, locale, policy.default_locale)) for c in definition.choices
        )
    if kind == "yes_no":
        return kind, tuple((code, str(label)) for code, label in YES_NO)
    if kind == "organisation":
        rows = db.session.execute(
            select(PartnerOrganisation.id, PartnerOrganisation.name)
            .where(owned_by(PartnerOrganisation, workspace))
            .order_by(PartnerOrganisation.name)
        )
        return kind, tuple((str(i), name) for i, name in rows.all())
    return kind, ()


def policy_inputs(workspace: Workspace, labels: PolicyLabels) -> list[PolicyInput]:
    """Every attribute input the New lead form shows for this policy."""
    policy, locale = labels.policy, labels.locale
    required = set(policy.intake.required_fields)
    inputs = []
    for code in attribute_names(policy):
        kind, choices = _choices(workspace, policy, code, locale)
        for_types = tuple(
            t.code for t in policy.intake.lead_types if code in t.qualification_fields
        )
        inputs.append(
            PolicyInput(code, labels.field(code), kind, code in required, for_types, choices)
        )
    return inputs


def required_columns(policy: Policy) -> set[str]:
    """The lead columns the policy requires (a required mark beside their inputs)."""
    return {c for n in policy.intake.required_fields if (c := column_name(n))}


def asked_columns(policy: Policy) -> set[str]:
    """The lead columns the policy requires, qualifies or matches duplicates on."""
    names = [*policy.intake.required_fields, *policy.duplicates.match_keys]
    for lead_type in policy.intake.lead_types:
        names += lead_type.qualification_fields
    return {c for n in names if (c := column_name(n))}


def lead_details(
    workspace: Workspace, labels: PolicyLabels, attributes: dict, lead_type: str | None = None
) -> list[tuple]:
    """(label, value) of the policy's fields a lead carries, values as the reader reads them
    (a choice's label, an organisation's name, yes or no); every qualification question of
    its type (CPB-1), "not answered" when it has no answer."""
    shown = []
    for item in policy_inputs(workspace, labels):
        value = attributes.get(item.code)
        if value in (None, ""):
            if lead_type and lead_type in item.for_types:
                shown.append((item.label, _l("not answered")))
            continue
        if item.kind == "yes_no":
            value = _yes_no(value)
        shown.append((item.label, _readable(item.kind, dict(item.choices).get(str(value), value))))
    return shown


def _readable(kind: str, value):
    """A date or a date and time as the reader writes them; anything else as it is."""
    try:
        if kind == "datetime":
            return format_datetime(datetime.fromisoformat(str(value)), "medium")
        if kind == "date":
            return format_date(date.fromisoformat(str(value)), "medium")
    except ValueError:
        pass
    return value


def _yes_no(value) -> str:
    return "yes" if value is True or str(value).lower() in YES_WORDS else "no"


def edit_values(lead) -> dict[str, str]:
    """The lead's answers as the Edit lead form's inputs hold them (`attr_<code>`)."""
    values = {}
    for code, value in (lead.attributes or {}).items():
        if isinstance(value, bool):
            value = _yes_no(value)
        values[f"attr_{code}"] = "" if value is None else str(value)
    return values
