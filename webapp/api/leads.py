"""Leads over the API: intake, reading, a page walk by cursor, activities, assignment, status."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime

from flask import g, request
from pydantic import ValidationError
from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from tenants.errors import Refusal
from tenants.markers import N_
from webapp.errors import UserError
from webapp.extensions import db
from webapp.leadwork.refusals import OutcomeRefused, refusal_message
from webapp.models import Lead, User
from webapp.operations import api_calls, policies
from webapp.operations.intake import IntakeInvalid, IntakeRequest, validate
from webapp.operations.unit import transaction
from webapp.policy.labels import PolicyLabels
from webapp.tenancy import get_or_404, scoped
from webapp.validation_messages import user_message
from webapp.workspace import queries as lead_queries

from .blueprint import (
    ApiError,
    body,
    check_id,
    checked,
    endpoint,
    query,
    raw_body,
    respond,
    validation_fields,
)
from .presenters import lead_out, leads_out, new_lead_out
from .schemas import ActivityIn, AssignIn, LeadIn, LeadOut, LeadPage, LeadQuery, StatusIn

IDEMPOTENCY_HEADER = "Idempotency-Key"
LEAD_ERRORS = (401, 404, 429)
WRITE_ERRORS = (400, 401, 404, 422, 429)


def intake_request(data: LeadIn, *, channel: str | None = None, source: str | None = None):
    """The intake operation's request for a LeadIn body (channel and source as defaults)."""
    fields = data.model_fields_set
    return IntakeRequest(
        contact_name=data.contact_name,
        channel=data.channel if "channel" in fields or channel is None else channel,
        source=data.source or source,
        phone=data.phone,
        email=data.email,
        company=data.company,
        lead_type=data.lead_type,
        rating=data.rating,
        external_id=data.external_id,
        account_ref=data.account_ref,
        attributes=dict(data.attributes),
        taken_by_id=data.taken_by,
    )


def lead_in(workspace, data: dict, **defaults) -> LeadIn:
    """`data` as a LeadIn; when its shape is wrong, the 422 also names what the workspace's
    policy refuses in the fields that are well formed: every field error at once."""
    try:
        return checked(LeadIn, data)
    except ValidationError as error:
        fields = validation_fields(error)
    bad = {path.split(".")[0] for path, _ in fields}
    rest = {k: v for k, v in data.items() if k not in bad and k in LeadIn.model_fields}
    try:
        partial = LeadIn.model_validate({**rest, "contact_name": rest.get("contact_name", "-")})
    except ValidationError:
        partial = None
    if partial is not None:
        policy = policies.active_policy(workspace)
        fields += [
            (path, message)
            for path, message in validate(workspace, policy, intake_request(partial, **defaults))
            if path.split(".")[0] not in bad
        ]
    raise ApiError(422, "invalid input", fields)


def idempotency_key() -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip() or None
    if key is not None and len(key) > 100:
        raise ApiError(422, "invalid input", [(IDEMPOTENCY_HEADER, "at most 100 characters")])
    return key


def fingerprint(data: LeadIn) -> str:
    """The body's sha256, canonical (key order and spacing do not matter)."""
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def receive(
    workspace, request_: IntakeRequest, *, via: str, key: str | None, body: LeadIn
) -> Response:
    """Store a lead through intake: 201 when new, 200 for a retry or a joined file (BDC-7);
    422 when the Idempotency-Key was first used with another body."""
    options = {"via": via, "idempotency_key": key, "fingerprint": fingerprint(body)}
    try:
        with transaction():
            result = api_calls.receive_lead(workspace, request_, **options)
            fresh = new_lead_out(workspace, result.lead, result.invalidated)
    except IntakeInvalid as refused:
        if refused.errors != [("external_id", "this lead was already received")]:
            raise
        # A concurrent retry stored it first: this one returns that lead.
        result = api_calls.receive_lead(workspace, request_, **options)
        fresh = None
    if result.created and fresh is not None:
        return respond(fresh, 201)
    return respond(lead_out(workspace, result.lead, joined=result.joined), 200)


@endpoint(
    "POST",
    "/leads",
    summary="Receive a lead",
    body=LeadIn,
    responses={201: LeadOut, 200: LeadOut},
    errors=(400, 401, 409, 422, 429),
    headers=(
        (
            IDEMPOTENCY_HEADER,
            "A retry with the same key returns the first lead; the key with another body is a 422.",
        ),
    ),
    role="agent",
    tags=("leads",),
)
def create_lead() -> Response:
    """Validate, de-duplicate and assign a lead by the workspace policy. A retry with the same
    `external_id` or `Idempotency-Key` returns the first lead with 200; a request from a known
    customer that joins their file (BDC-7) returns that lead with 200 and `joined: true`."""
    data = lead_in(g.workspace, raw_body())
    key = idempotency_key()
    via = api_calls.key_reason(g.api_key)
    return receive(g.workspace, intake_request(data), via=via, key=key, body=data)


def _encode_cursor(lead: Lead) -> str:
    raw = json.dumps([lead.updated_at.isoformat(), lead.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, lead_id = json.loads(raw)
        return datetime.fromisoformat(at), int(lead_id)
    except (binascii.Error, ValueError, TypeError) as error:
        raise ApiError(422, "invalid input", [("cursor", "not a cursor of this API")]) from error


def _conditions(q: LeadQuery) -> list:
    """The page's filters, as the leads list reads them (webapp.workspace.queries); codes
    are matched as given: a lead may carry one its policy no longer lists."""
    where = [
        column == value
        for column, value in (
            (Lead.status, q.status),
            (Lead.source, q.source),
            (Lead.lead_type, q.lead_type),
            (Lead.rating, q.rating),
            (Lead.team_id, q.team),
        )
        if value is not None
    ]
    if q.owner == "none":
        where.append(Lead.owner_id.is_(None))
    elif q.owner is not None:
        where.append(Lead.owner_id == q.owner)
    for column, since, before in (
        (Lead.updated_at, q.updated_since, q.updated_before),
        (Lead.created_at, q.created_since, q.created_before),
    ):
        if since:
            where.append(column >= since)
        if before:
            where.append(column < before)
    if q.q:
        where.append(lead_queries.search(q.q.strip()))
    return where


@endpoint(
    "GET",
    "/leads",
    summary="List leads",
    query=LeadQuery,
    responses={200: LeadPage},
    errors=(401, 422, 429),
    role="agent",
    tags=("leads",),
    partner=True,
)
def leads() -> Response:
    """Leads by last change, oldest first, a page at a time: pass `next_cursor` back as
    `cursor` until it is null. A lead changed during the walk comes again at the end. A
    partner organisation's key lists that organisation's leads only."""
    q = query(LeadQuery)
    statement = scoped(Lead).options(
        joinedload(Lead.owner), joinedload(Lead.team), joinedload(Lead.account)
    )
    statement = statement.where(*_conditions(q))
    if q.cursor:
        at, lead_id = _decode_cursor(q.cursor)
        if at.tzinfo is None:
            raise ApiError(422, "invalid input", [("cursor", "not a cursor of this API")])
        statement = statement.where(
            or_(Lead.updated_at > at, and_(Lead.updated_at == at, Lead.id > lead_id))
        )
    rows = db.session.scalars(statement.order_by(Lead.updated_at, Lead.id).limit(q.limit + 1)).all()
    page, more = rows[: q.limit], len(rows) > q.limit
    return respond(
        LeadPage(
            leads=leads_out(g.workspace, list(page)),
            next_cursor=_encode_cursor(page[-1]) if more else None,
        )
    )


@endpoint(
    "POST",
    "/leads/<int:lead_id>/activities",
    summary="Log an activity or an outcome",
    body=ActivityIn,
    responses={200: LeadOut},
    errors=(*WRITE_ERRORS, 409),
    role="agent",
    tags=("leads",),
)
def add_activity(lead_id: int) -> Response:
    """Log a contact attempt; with `outcome`, the outcome's effects apply (status, tasks,
    cooldowns, referrals) as the policy says. Returns the lead as it is now. A 409 names
    `outcome` when the policy refuses it now: the callback already has its outcome (L411-5),
    or the outcome is an offer and an eligibility gate blocks it (L411-4)."""
    row = get_or_404(Lead, check_id(lead_id))
    data = body(ActivityIn)
    try:
        api_calls.work_lead(
            row,
            via=api_calls.key_reason(g.api_key),
            channel=data.channel,
            outcome=data.outcome,
            note=data.note,
            facts=data.facts,
        )
    except OutcomeRefused as refused:  # L411-4, L411-5: nothing was written
        labels = PolicyLabels.for_request(policies.active_policy(g.workspace))
        message = refusal_message(refused, labels)
        raise ApiError(409, message, [("outcome", message)]) from refused
    return respond(lead_out(g.workspace, row))


@endpoint(
    "POST",
    "/leads/<int:lead_id>/assign",
    summary="Assign a lead to a member",
    body=AssignIn,
    responses={200: LeadOut},
    errors=(400, 401, 403, 404, 422, 429),
    role="manager",
    tags=("leads",),
)
def assign(lead_id: int) -> Response:
    """Give the lead to a member of the workspace. Needs a key with the manager role."""
    row = get_or_404(Lead, check_id(lead_id))
    data = body(AssignIn)
    owner = db.session.get(User, data.owner_id)
    try:
        if owner is None:
            raise UserError("owner", Refusal(N_("not a member of this workspace")))
        api_calls.assign_lead(row, owner, via=api_calls.key_reason(g.api_key))
    except UserError as refused:
        raise ApiError(
            422, user_message(refused), [("owner_id", user_message(refused))]
        ) from refused
    return respond(lead_out(g.workspace, row))


@endpoint(
    "POST",
    "/leads/<int:lead_id>/status",
    summary="Change a lead's status",
    body=StatusIn,
    responses={200: LeadOut},
    errors=WRITE_ERRORS,
    role="agent",
    tags=("leads",),
)
def set_status(lead_id: int) -> Response:
    """Move the lead to a status of the policy; a won deal may carry its revenue (L411-12)."""
    row = get_or_404(Lead, check_id(lead_id))
    data = body(StatusIn)
    revenue = str(data.revenue) if data.revenue is not None else None
    commissions = {
        name: str(value)
        for name in ("advisor_commission", "manager_commission")
        if (value := getattr(data, name)) is not None
    }
    api_calls.set_status(
        row,
        data.status,
        via=api_calls.key_reason(g.api_key),
        revenue=revenue,
        commissions=commissions,
    )
    return respond(lead_out(g.workspace, row))
