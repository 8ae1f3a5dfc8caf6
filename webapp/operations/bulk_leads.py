"""Bulk changes from the leads list (issue 16 item 6): each lead goes through the same
operation as a single change (assignment.reassign, outcomes.change_status), in its own
transaction, with its own audit event. A lead the operation refuses is rolled back alone
and reported with the operation's reason; the others keep their change. A lead already in
the asked state is left alone (no empty audit event)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from webapp.errors import UserError
from webapp.models import Lead, User

from . import assignment, outcomes

BULK_REASSIGNED = "reassigned in bulk from the leads list"
BULK_STATUS = "status changed in bulk from the leads list"


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # id, name, why


def _each(
    leads: Iterable[Lead], already: Callable[[Lead], bool], change: Callable[[Lead], None]
) -> BulkResult:
    result = BulkResult()
    for lead in leads:
        lead_id, name = lead.id, lead.contact_name
        if already(lead):
            result.unchanged.append(lead_id)
            continue
        try:
            change(lead)  # an operation: its own transaction, rolled back alone if refused
        except UserError as refusal:
            result.refused.append((lead_id, name, str(refusal)))
        else:
            result.changed.append(lead_id)
    return result


def reassign_each(leads: Iterable[Lead], to: User, *, actor: User, reason: str = "") -> BulkResult:
    """Give each lead to `to` through assignment.reassign."""
    return _each(
        leads,
        lambda lead: lead.owner_id == to.id,
        lambda lead: assignment.reassign(lead, to, actor=actor, reason=reason or BULK_REASSIGNED),
    )


def change_status_each(
    leads: Iterable[Lead], status: str, *, actor: User, reason: str = ""
) -> BulkResult:
    """Move each lead to `status` through outcomes.change_status (the policy's checks, a
    terminal status stopping its clocks, the events a status change publishes)."""
    return _each(
        leads,
        lambda lead: lead.status == status,
        lambda lead: outcomes.change_status(
            lead, status, actor=actor, reason=reason or BULK_STATUS
        ),
    )
