"""What intake checks before it stores a lead: every problem at once, by field, in the
language of the request (ALL-6), so a form shows each beside its field and the API lists them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tenants import Policy
from tenants.policy.common import label_for
from tenants.policy.intake import LeadField
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Account, Membership, PartnerOrganisation, Workspace
from webapp.tenancy import owned_by, scoped

from . import leads

if TYPE_CHECKING:
    from .intake import IntakeRequest

# Channels every workspace accepts besides its policy's: how a lead was handed in when the
# caller names no channel of the policy (a form's "other", the API, a webhook, a CSV file).
TRANSPORTS = ("manual", "web", "api", "webhook", "import")
LIMITS = {
    "contact_name": 200,
    "company": 200,
    "phone": 40,
    "email": 254,
    "external_id": 100,
    "source": 60,
    "account_ref": 100,
}
# Names a policy's required_fields may use for the lead's own columns.
FIELD_ALIASES = {"name": "contact_name", "customer_name": "contact_name", "account": "account_ref"}
# Required fields intake does not ask the caller for: the delivery records who sent it.
FILLED_BY_INTAKE = frozenset({"sent_by_agent"})
YES, NO = ("yes", "true", "1", "on", "y"), ("no", "false", "0", "off", "n")

Errors = list[tuple[str, str]]


def value_of(request: IntakeRequest, name: str) -> Any:
    """The request's value for a policy field name (a lead column or an attribute)."""
    name = FIELD_ALIASES.get(name, name)
    if name in LIMITS or name in ("lead_type", "rating", "channel"):
        return getattr(request, name)
    return request.attributes.get(name)


def dedupe_channel(channel: str | None, source: str | None) -> str:
    """The channel duplicate rules read (BDC-2): the policy channel the lead came by, else, for
    a lead handed in by a transport (API, webhook, CSV, "other"), its source."""
    if channel and channel not in TRANSPORTS:
        return channel
    return source or channel or "manual"


def _not_one_of(value: str, allowed: list[str]) -> str:
    return _("“%(value)s” is not one of: %(allowed)s.", value=value, allowed=", ".join(allowed))


def _codes(policy: Policy, request: IntakeRequest) -> Errors:
    intake = policy.intake
    errors: Errors = []
    channels = [c.code for c in intake.channels]
    if request.channel not in channels and request.channel not in TRANSPORTS:
        errors.append(("channel", _not_one_of(request.channel, channels)))
    sources = [s.code for s in intake.sources]
    if request.source and sources and request.source not in sources:
        errors.append(("source", _not_one_of(request.source, sources)))
    types = [t.code for t in intake.lead_types]
    if request.lead_type and request.lead_type not in types:
        errors.append(("lead_type", _not_one_of(request.lead_type, types or ["—"])))
    if request.rating and request.rating not in intake.rating_scale:
        errors.append(("rating", _not_one_of(request.rating, intake.rating_scale or ["—"])))
    return errors


def required_names(policy: Policy, lead_type: str | None) -> list[str]:
    """Field names a lead of `lead_type` must carry: the policy's required fields and, for a
    typed lead, its qualification (CPB-1)."""
    names = [n for n in policy.intake.required_fields if n not in FILLED_BY_INTAKE]
    for kind in policy.intake.lead_types:
        if kind.code == lead_type:
            names += kind.qualification_fields
    return list(dict.fromkeys(names))


def error_path(name: str) -> str:
    """Where an error about policy field `name` is reported: a column, or `attributes.<name>`."""
    column = FIELD_ALIASES.get(name, name)
    return (
        column if column in LIMITS or column in ("lead_type", "rating") else f"attributes.{column}"
    )


def _missing(policy: Policy, request: IntakeRequest) -> Errors:
    qualification = {
        q: kind for kind in policy.intake.lead_types for q in kind.qualification_fields
    }
    errors: Errors = []
    for name in required_names(policy, request.lead_type):
        if value_of(request, name) not in (None, ""):
            continue
        kind = qualification.get(name) if name not in policy.intake.required_fields else None
        if kind is not None and kind.code == request.lead_type:
            label = label_for(kind.labels, _locale(), policy.default_locale)
            errors.append((error_path(name), _("Required for a %(type)s lead.", type=label)))
        else:
            errors.append((error_path(name), _("Required by the workspace policy.")))
    return errors


def _locale() -> str:
    return str(get_locale() or "en")


def _number(workspace: Workspace, value: Any) -> str | None:
    if isinstance(value, bool):
        return _("Not a number: %(value)s.", value=value)
    try:
        Decimal(str(value).strip())
    except InvalidOperation:
        return _("Not a number: %(value)s.", value=value)
    return None


def _date(workspace: Workspace, value: Any) -> str | None:
    try:
        date.fromisoformat(str(value).strip())
    except ValueError:
        return _("Not a date (YYYY-MM-DD): %(value)s.", value=value)
    return None


def _datetime(workspace: Workspace, value: Any) -> str | None:
    try:
        datetime.fromisoformat(str(value).strip())
    except ValueError:
        return _("Not a date and time (YYYY-MM-DD HH:MM): %(value)s.", value=value)
    return None


def _yes_no(workspace: Workspace, value: Any) -> str | None:
    if isinstance(value, bool) or str(value).strip().lower() in YES + NO:
        return None
    return _("Answer yes or no.")


def _phone(workspace: Workspace, value: Any) -> str | None:
    try:
        leads.normalise_phone(str(value), workspace.country)
    except UserError as error:
        return str(error)
    return None


def _organisation(workspace: Workspace, value: Any) -> str | None:
    found = None
    if str(value).strip().isdigit() and int(value) < 2**31:
        found = db.session.scalar(
            select(PartnerOrganisation.id).where(
                owned_by(PartnerOrganisation, workspace),
                PartnerOrganisation.id == int(value),
            )
        )
    return None if found else _("No such partner organisation in this workspace.")


KIND_CHECKS: dict[str, Callable[[Workspace, Any], str | None]] = {
    "number": _number,
    "date": _date,
    "datetime": _datetime,
    "yes_no": _yes_no,
    "phone": _phone,
    "organisation": _organisation,
}


def _typed(workspace: Workspace, definition: LeadField, value: Any) -> str | None:
    if definition.kind == "select":
        allowed = [c.code for c in definition.choices]
        return None if str(value) in allowed else _not_one_of(str(value), allowed)
    check = KIND_CHECKS.get(definition.kind)
    return check(workspace, value) if check else None


def _attributes(workspace: Workspace, policy: Policy, request: IntakeRequest) -> Errors:
    errors: Errors = []
    for definition in policy.intake.fields:
        value = value_of(request, definition.code)
        if value in (None, ""):
            continue
        if (message := _typed(workspace, definition, value)) is not None:
            errors.append((error_path(definition.code), message))
    return errors


def _contact(workspace: Workspace, request: IntakeRequest) -> Errors:
    errors: Errors = []
    if request.phone:
        try:
            leads.normalise_phone(request.phone, workspace.country)
        except UserError as error:
            errors.append(("phone", str(error)))
    if request.email:
        try:
            leads.normalise_email(request.email)
        except UserError as error:
            errors.append(("email", str(error)))
    return errors


def _account(workspace: Workspace, ref: str | None) -> Errors:
    if not ref or len(ref) > LIMITS["account_ref"]:
        return []
    found = db.session.scalar(
        select(Account.id).where(owned_by(Account, workspace), Account.external_ref == ref)
    )
    return [] if found else [("account_ref", _("No account %(ref)s in this workspace.", ref=ref))]


def _member(workspace: Workspace, user_id: int) -> Membership | None:
    return db.session.scalar(scoped(Membership, workspace).where(Membership.user_id == user_id))


def validate(workspace: Workspace, policy: Policy, request: IntakeRequest) -> Errors:
    """Every problem with `request` under the policy, by field, at most one per field; empty
    when the lead may be stored."""
    errors: Errors = []
    if not (request.contact_name or "").strip():
        errors.append(("contact_name", _("A lead needs a contact name.")))
    for name, limit in LIMITS.items():
        value = value_of(request, name)
        if isinstance(value, str) and len(value) > limit:
            errors.append((name, _("At most %(num)d characters.", num=limit)))
    errors += _codes(policy, request)
    errors += _missing(policy, request)
    errors += _contact(workspace, request)
    errors += _attributes(workspace, policy, request)
    errors += _account(workspace, request.account_ref)
    if request.taken_by_id is not None and _member(workspace, request.taken_by_id) is None:
        errors.append(("taken_by", _("Not a member of this workspace.")))
    first: dict[str, str] = {}
    for field_name, message in errors:
        first.setdefault(field_name, message)
    return list(first.items())
