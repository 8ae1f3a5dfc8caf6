"""The partner portal over the API (CPB-1..10): agency systems allocate; a partner
organisation's own systems acknowledge, log attempts, move stages, register deals, give
feedback and fetch the meeting's invite, for that organisation's leads only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from flask import g, make_response
from pydantic import Field
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Lead, Membership, PartnerOrganisation, User
from webapp.operations import (
    allocation,
    contact_attempts,
    deal_registrations,
    meetings,
    opportunities,
    policies,
)
from webapp.operations import feedback as feedback_records
from webapp.operations.acknowledgements import AcknowledgeRefused, acknowledge
from webapp.operations.opportunities import StageRefused
from webapp.portal import invites
from webapp.tenancy import get_or_404, owned_by, scoped
from webapp.validation_messages import user_message

from .blueprint import ApiError, body, check_id, endpoint, respond
from .presenters import lead_out
from .schemas import DB_INT, Body, LeadOut

WRITE_ERRORS = (400, 401, 404, 422, 429)
PARTNER = {"role": "agent", "partner": True, "tags": ("partner portal",)}


class AllocateIn(Body):
    partner_organisation: int = DB_INT
    partner_user: int | None = Field(None, ge=1, le=2**31 - 1)


class AttemptIn(Body):
    channel: Literal["call", "email", "social", "voicemail", "sms", "whatsapp", "in_person"]
    note: str = Field("", max_length=2000)
    subject: str = Field("", max_length=200)
    number: str = Field("", max_length=40)
    network: str = Field("", max_length=200)
    message: str = Field("", max_length=2000)
    details: dict[str, Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=dict,
        max_length=20,
        description="the policy's own voicemail fields (records.contact_attempts."
        "voicemail_fields) beyond the ones above, by code",
    )


class StageIn(Body):
    stage: str = Field(min_length=1, max_length=64)
    deal_value: str = Field("", max_length=40)
    lost_reason: str = Field("", max_length=500)


class DealIn(Body):
    vendor: str = Field(min_length=1, max_length=200)
    deal_value: Decimal = Field(gt=0, max_digits=14, decimal_places=2, allow_inf_nan=False)
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    expected_close: date
    crm_reference: str = Field(min_length=1, max_length=120)


class FeedbackIn(Body):
    reason: str = Field(min_length=1, max_length=64)
    comment: str = Field(min_length=1, max_length=4000)


def _lead(lead_id: int) -> Lead:
    return get_or_404(Lead, check_id(lead_id))


def _refused(refusal: StageRefused | UserError) -> ApiError:
    fields = getattr(refusal, "fields", None) or {refusal.field: user_message(refusal)}
    return ApiError(422, "invalid input", list(fields.items()))


@endpoint(
    "POST",
    "/leads/<int:lead_id>/allocate",
    summary="Allocate a lead to a partner organisation",
    body=AllocateIn,
    responses={200: LeadOut},
    errors=WRITE_ERRORS,
    role="manager",
    tags=("partner portal",),
)
def allocate(lead_id: int) -> Response:
    """Allocate the lead to a partner organisation, and to one of its partners when given
    (else as the policy's `allocate_to` says). Another organisation's lead is withdrawn from
    its portal."""
    row = _lead(lead_id)
    data = body(AllocateIn)
    organisation = db.session.scalar(
        scoped(PartnerOrganisation).where(PartnerOrganisation.id == data.partner_organisation)
    )
    partner = None
    if data.partner_user is not None:
        partner = db.session.scalar(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(owned_by(Membership, g.workspace), User.id == data.partner_user)
        )
    bad = []
    if organisation is None:
        bad.append(("partner_organisation", "no such partner organisation"))
    if data.partner_user is not None and partner is None:
        bad.append(("partner_user", "not a member of this workspace"))
    if bad:
        raise ApiError(422, "invalid input", bad)
    try:
        allocation.allocate(row, organisation, partner_user=partner, actor=None, reason="API")
    except UserError as refusal:
        raise _refused(refusal) from refusal
    return respond(lead_out(g.workspace, row))


@endpoint(
    "POST",
    "/leads/<int:lead_id>/acknowledge",
    summary="Acknowledge (review) an allocated lead",
    responses={200: LeadOut},
    errors=(401, 404, 409, 429),
    **PARTNER,
)
def acknowledge_lead(lead_id: int) -> Response:
    """The partner organisation has reviewed the lead (CPB-2): the review clock stops."""
    row = _lead(lead_id)
    try:
        acknowledge(row, actor=None)
    except AcknowledgeRefused as refusal:
        message = f"cannot acknowledge: {refusal.reason}"
        raise ApiError(409, message, [("lead", refusal.reason)]) from refusal
    return respond(lead_out(g.workspace, row))


@endpoint(
    "POST",
    "/leads/<int:lead_id>/attempts",
    summary="Log a contact attempt",
    body=AttemptIn,
    responses={200: LeadOut},
    errors=WRITE_ERRORS,
    **PARTNER,
)
def log_attempt(lead_id: int) -> Response:
    """Log a contact attempt by one of the policy's channels with its fields (CPB-6)."""
    row = _lead(lead_id)
    data = body(AttemptIn)
    own = contact_attempts.extra_fields(policies.active_policy(g.workspace))
    fields = {k: v for k, v in data.details.items() if k in own}  # the policy's own only
    fields.update(data.model_dump(exclude={"channel", "note", "details"}))
    try:
        contact_attempts.log_attempt(row, data.channel, actor=None, note=data.note, **fields)
    except UserError as refusal:
        raise _refused(refusal) from refusal
    return respond(lead_out(g.workspace, row))


@endpoint(
    "POST",
    "/leads/<int:lead_id>/stage",
    summary="Move the opportunity to a stage",
    body=StageIn,
    responses={200: LeadOut},
    errors=WRITE_ERRORS,
    **PARTNER,
)
def move_stage(lead_id: int) -> Response:
    """Move the opportunity to one of the policy's stages (CPB-7); a 422 lists the allowed
    ones, or names the fields and the deal registration a stage needs (CPB-5)."""
    row = _lead(lead_id)
    data = body(StageIn)
    try:
        opportunities.move(row, data.stage, actor=None, **data.model_dump(exclude={"stage"}))
    except StageRefused as refusal:
        raise _refused(refusal) from refusal
    return respond(lead_out(g.workspace, row))


@endpoint(
    "POST",
    "/leads/<int:lead_id>/deal-registration",
    summary="Register the deal",
    body=DealIn,
    responses={200: LeadOut},
    errors=WRITE_ERRORS,
    **PARTNER,
)
def register_deal(lead_id: int) -> Response:
    """Register (or resubmit) the lead's deal for the agency's review (CPB-5)."""
    row = _lead(lead_id)
    data = body(DealIn)
    try:
        deal_registrations.register(row, data.model_dump(), actor=None)
    except StageRefused as refusal:
        raise _refused(refusal) from refusal
    return respond(lead_out(g.workspace, row))


@endpoint(
    "POST",
    "/leads/<int:lead_id>/feedback",
    summary="Give feedback on a lead",
    body=FeedbackIn,
    responses={200: LeadOut},
    errors=WRITE_ERRORS,
    **PARTNER,
)
def give_feedback(lead_id: int) -> Response:
    """Tell the agency of a problem with the lead, within the feedback window (CPB-4)."""
    row = _lead(lead_id)
    data = body(FeedbackIn)
    try:
        feedback_records.give(row, data.reason, data.comment, actor=None)
    except StageRefused as refusal:
        raise _refused(refusal) from refusal
    return respond(lead_out(g.workspace, row))


@endpoint(
    "GET",
    "/leads/<int:lead_id>/invite.ics",
    summary="The lead's meeting as a calendar invite",
    responses={200: None},
    errors=(401, 404, 429),
    media_type="text/calendar",
    **PARTNER,
)
def invite(lead_id: int) -> Response:
    """The booked meeting (an AQL's appointment or the partner's booking) as an .ics in the
    appointment's time zone; 404 when none is booked."""
    row = _lead(lead_id)
    policy = policies.active_policy(g.workspace)
    when = invites.appointment(row, meetings.meeting_of(row), policy.calendar.time_zone)
    if when is None:
        raise ApiError(404, "this lead has no meeting booked")
    summary = f"Meeting with {row.company or row.contact_name}"
    response = make_response(invites.ics(row, when, row.owner, summary))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    return response
