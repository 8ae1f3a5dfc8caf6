"""A lead read in full (its open tasks and audit trail) and edited over the API (issue 12)."""

from __future__ import annotations

from flask import g
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.models import AuditEvent, Lead, TaskState
from webapp.operations import api_calls, lead_edits, tasks
from webapp.operations.audit import changes_of
from webapp.operations.intake import IntakeInvalid
from webapp.tenancy import get_or_404, scoped

from .blueprint import ApiError, body, check_id, endpoint, respond
from .presenters import lead_out
from .schemas import HistoryEntry, LeadDetail, LeadPatch, Person
from .tasks import task_out


def history(lead: Lead) -> list[HistoryEntry]:
    """The lead's audit trail, oldest first: who changed what from what to what, and why."""
    events = db.session.scalars(
        scoped(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.subject_type == "leads", AuditEvent.subject_id == lead.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    return [
        HistoryEntry(
            at=e.created_at,
            actor=Person(id=e.actor.id, name=e.actor.name) if e.actor else None,
            action=e.action,
            changes=changes_of(e),
            reason=e.reason or "",
        )
        for e in events
    ]


def lead_detail(lead: Lead) -> LeadDetail:
    base = lead_out(g.workspace, lead)
    open_tasks = [t for t in tasks.tasks_of(lead) if t.state == TaskState.OPEN]
    return LeadDetail(
        **base.model_dump(),
        tasks=[task_out(t) for t in open_tasks],
        # A partner organisation's system sees no history: it would name what another
        # organisation did with the lead before it was reallocated (CPB-10).
        history=[] if _for_partner() else history(lead),
    )


def _for_partner() -> bool:
    key = getattr(g, "api_key", None)
    return key is not None and key.partner_organisation_id is not None


@endpoint(
    "GET",
    "/leads/<int:lead_id>",
    summary="Read a lead with its open tasks and history",
    responses={200: LeadDetail},
    errors=(401, 404, 429),
    role="agent",
    tags=("leads",),
    partner=True,
)
def lead(lead_id: int) -> Response:
    """One lead of the key's workspace, its open tasks and its audit trail (`history`:
    `changes` is `{field: [before, after]}`); another workspace's lead is a 404."""
    return respond(lead_detail(get_or_404(Lead, check_id(lead_id))))


@endpoint(
    "PATCH",
    "/leads/<int:lead_id>",
    summary="Edit a lead",
    body=LeadPatch,
    responses={200: LeadDetail},
    errors=(400, 401, 404, 422, 429),
    role="agent",
    tags=("leads",),
)
def edit_lead(lead_id: int) -> Response:
    """Change the given fields (contact, rating, type, attributes): checked as intake checks
    a new lead, a 422 naming every bad field at once, nothing written. A new phone or e-mail
    that another open lead has is refused on that field, naming the lead (one audit event,
    with each field's before and after)."""
    row = get_or_404(Lead, check_id(lead_id))
    data = body(LeadPatch)
    given = data.model_fields_set & set(lead_edits.COLUMNS)
    via = api_calls.key_reason(g.api_key)
    try:
        lead_edits.update_lead(
            row,
            actor=None,
            values={name: getattr(data, name) for name in given},
            attributes=dict(data.attributes),
            reason=f"{via}: {data.reason}" if data.reason else via,
        )
    except IntakeInvalid as invalid:
        raise ApiError(422, "invalid input", invalid.errors) from None
    return respond(lead_detail(row))
