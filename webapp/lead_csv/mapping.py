"""Which CSV column feeds which lead field: the proposal from header names, and the rows as
intake requests."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from tenants import Policy
from tenants.policy.common import LOCALES
from webapp.operations.intake import IntakeRequest

from .parsing import Row

IGNORE = ""
ATTRIBUTE_PREFIX = "attributes."
# The lead's own fields a column may feed, with their label in the mapping's selects.
FIELDS = {
    "contact_name": _l("Contact name"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "company": _l("Company"),
    "source": _l("Source"),
    "lead_type": _l("Lead type"),
    "rating": _l("Rating"),
    "external_id": _l("External id"),
    "account_ref": _l("Account reference"),
    "channel": _l("Channel"),
}
# Header names (folded: lower case, no accents, letters and digits only) each field answers to.
SYNONYMS = {
    "contact_name": (
        "name contactname contact fullname customer customername client clientname nombre "
        "nombrecompleto cliente nom nomcomplet имя фио клиент контакт"
    ),
    "phone": (
        "phone phonenumber telephone tel mobile cell cellphone telefono celular movil "
        "numero portable телефон мобильный"
    ),
    "email": "email mail emailaddress correo correoelectronico courriel adresseemail почта",
    "company": "company companyname business organisation organization empresa compania "
    "entreprise societe компания организация",
    "source": "source origin fuente origen источник",
    "channel": "channel intakechannel canal канал",
    "lead_type": "leadtype type tipo tipodelead typedelead тип",
    "rating": "rating score grade calificacion note рейтинг оценка",
    "external_id": "externalid id ref reference leadid identificador identifiant идентификатор",
    "account_ref": "account accountref accountreference cuenta compte аккаунт счет",
}


def fold(name: str) -> str:
    """A header name compared without case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = (c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in kept if c.isalnum())


_BY_SYNONYM = {word: field for field, words in SYNONYMS.items() for word in words.split()}


def attribute(column: str) -> str:
    return f"{ATTRIBUTE_PREFIX}{column}"


def policy_attributes(policy: Policy) -> list[str]:
    """Attribute names the policy reads or defines (required, qualification, defined fields)."""
    own = set(FIELDS) | {"name", "customer_name", "account", "sent_by_agent"}
    names = [n for n in policy.intake.required_fields if n not in own]
    for lead_type in policy.intake.lead_types:
        names += [n for n in lead_type.qualification_fields if n not in own]
    names += [f.code for f in policy.intake.fields if f.code not in own]
    return list(dict.fromkeys(names))


def _attribute_names_by_header(policy: Policy) -> dict[str, str]:
    """Folded header names each policy attribute answers to: its code and its labels."""
    known: dict[str, str] = {}
    for name in policy_attributes(policy):
        definition = policy.intake.field(name)
        labels = [definition.labels.get(locale, "") for locale in LOCALES] if definition else []
        for word in (name, *labels):
            if word:
                known.setdefault(fold(word), attribute(name))
    return known


def propose(header: Iterable[str], policy: Policy) -> dict[str, str]:
    """A mapping for `header`: known names to lead fields (each field once), the rest kept
    as attributes under the policy's name for them, else under the column's own name."""
    known = _attribute_names_by_header(policy)
    unused = {"lead_type": not policy.intake.lead_types, "rating": not policy.intake.rating_scale}
    mapping: dict[str, str] = {}
    for column in header:
        field = _BY_SYNONYM.get(fold(column))
        if field and field not in mapping.values() and not unused.get(field):
            mapping[column] = field
        else:
            mapping[column] = known.get(fold(column), attribute(column))
    return mapping


def problems(mapping: dict[str, str]) -> list[str]:
    """What makes a mapping unusable (a field fed by two columns, no contact name)."""
    found = []
    targets = [t for t in mapping.values() if t != IGNORE]
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    for target in doubled:
        label = FIELDS.get(target, target)
        found.append(str(_l("Two columns feed %(field)s: choose one.", field=label)))
    if "contact_name" not in targets:
        found.append(str(_l("Choose the column that holds the contact name.")))
    return found


def to_request(row: Row, header: tuple[str, ...], mapping: dict[str, str]) -> IntakeRequest:
    """The row as an intake request on the import channel; blank cells are no value."""
    fields: dict[str, str] = {}
    attributes: dict[str, str] = {}
    for column, value in zip(header, row.values, strict=True):
        target, value = mapping.get(column, IGNORE), value.strip()
        if target == IGNORE or not value:
            continue
        if target.startswith(ATTRIBUTE_PREFIX):
            attributes[target.removeprefix(ATTRIBUTE_PREFIX)] = value
        elif target in FIELDS:
            fields[target] = value
    return IntakeRequest(
        contact_name=fields.pop("contact_name", ""),
        channel=fields.pop("channel", "import"),
        attributes=attributes,
        **fields,
    )


def column_of(mapping: dict[str, str], field: str) -> str | None:
    """The CSV column feeding `field` (an intake error's field name), if any."""
    for column, target in mapping.items():
        if target == field:
            return column
    return None
