"""The customer base (TEL-9): numbers with their tariff plan and services, from a CSV file."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, update

from webapp.extensions import db
from webapp.lead_csv.parsing import CsvRefused, read
from webapp.models import Customer, User, Workspace
from webapp.tenancy import scoped

from . import audit
from .campaigns import normalise_ctn
from .offer_errors import OfferInvalid
from .unit import operation

CTN_HEADERS = {"ctn", "number", "phone", "номер", "msisdn"}
TARIFF_HEADERS = {"tariff", "tariff_plan", "тариф", "тп"}
SERVICE_HEADERS = {"services", "service", "услуги"}


@dataclass(frozen=True)
class CustomerImport:
    created: int
    updated: int
    bad_lines: list[int]


def _column(header: tuple[str, ...], names: set[str]) -> int | None:
    return next((i for i, h in enumerate(header) if h.strip().lower() in names), None)


def _services(cell: str) -> list[str]:
    return sorted(
        {s.strip() for s in cell.replace(";", "|").replace(",", "|").split("|") if s.strip()}
    )


@operation
def import_customers(workspace: Workspace, data: bytes, *, actor: User | None) -> CustomerImport:
    """Add or update numbers from a CSV with columns ctn, tariff, services (services split by
    | or ;); a row with a bad number is skipped and reported."""
    try:
        table = read(data)[0]
    except CsvRefused as refused:
        raise OfferInvalid([("file", refused.message)]) from None
    ctn_at = _column(table.header, CTN_HEADERS)
    if ctn_at is None:
        raise OfferInvalid([("file", _l("The file needs a “ctn” column."))])
    tariff_at, services_at = (
        _column(table.header, TARIFF_HEADERS),
        _column(table.header, SERVICE_HEADERS),
    )
    rows: dict[str, dict] = {}
    bad: list[int] = []
    for row in table.rows:
        ctn = normalise_ctn(row.values[ctn_at])
        if ctn is None:
            bad.append(row.line)
            continue
        rows[ctn] = {
            "tariff": (row.values[tariff_at].strip() or None) if tariff_at is not None else None,
            "services": _services(row.values[services_at]) if services_at is not None else [],
        }
    existing = (
        dict(
            db.session.execute(
                scoped(Customer, workspace=workspace)
                .with_only_columns(Customer.ctn, Customer.id)
                .where(Customer.ctn.in_(list(rows)))
            ).all()
        )
        if rows
        else {}
    )
    new = [
        {"workspace_id": workspace.id, "ctn": c, **v} for c, v in rows.items() if c not in existing
    ]
    if new:
        db.session.execute(insert(Customer), new)
    for ctn, customer_id in existing.items():
        db.session.execute(update(Customer).where(Customer.id == customer_id).values(**rows[ctn]))
    result = CustomerImport(len(new), len(existing), bad)
    audit.record(
        workspace.id,
        "customers.imported",
        workspace,
        actor=actor,
        after={"created": result.created, "updated": result.updated, "bad_lines": len(bad)},
    )
    return result
