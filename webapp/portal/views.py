"""The partner's pages: inbox, my leads by stage, the lead with its work (CPB-1..7, CPB-9)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.models import Role
from webapp.operations import (
    contact_attempts,
    deal_registrations,
    meetings,
    opportunities,
    policies,
)
from webapp.operations import feedback as feedback_records
from webapp.operations.acknowledgements import AcknowledgeRefused, acknowledge
from webapp.operations.opportunities import StageRefused
from webapp.rendering import render
from webapp.tenancy import lead_to_act_on
from webapp.validation_messages import user_message

from . import context, invites, queries
from .blueprint import bp
from .labels import contact_channel

PAGE = "portal/lead.html"


def _policy():
    return policies.active_policy(g.workspace)


@bp.route("/")
def inbox() -> Response:
    """Newly allocated leads waiting to be reviewed, with the review countdown (CPB-2)."""
    policy = _policy()
    return render("portal/inbox.html", "content", rows=queries.inbox(policy), policy=policy)


@bp.route("/leads")
def my_leads() -> Response:
    """The organisation's reviewed leads by stage, follow-up countdown and attempts (CPB-3)."""
    policy = _policy()
    groups = queries.my_leads(policy)
    order = ["", *opportunities.stages(policy), queries.NURTURE_TYPES]
    return render(
        "portal/leads.html",
        "content",
        groups=[(stage, groups[stage]) for stage in order if stage in groups],
        record_label=lambda code: context.record_label(policy, opportunities.KIND, code),
        contact_channel=contact_channel,
        show_attempt_count=context.show_attempt_count(policy),
        policy=policy,
    )


@bp.route("/leads/<int:lead_id>")
def lead(lead_id: int) -> Response:
    """One allocated lead: its type, BANT+A answers, meeting, attempts, stage and records."""
    found = lead_to_act_on(lead_id)
    return render(PAGE, "content", **context.lead_page(_policy(), found))


def _refused(found, section: str, fields: dict[str, str], form: dict[str, Any]) -> Response:
    page = context.lead_page(_policy(), found, errors={section: fields}, form=form)
    return render(PAGE, "content", status=422, **page)


def _done(found, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("portal.lead", lead_id=found.id))


@bp.post("/leads/<int:lead_id>/acknowledge")
def acknowledge_lead(lead_id: int) -> Response:
    """The partner says they have reviewed the lead (CPB-2)."""
    found = lead_to_act_on(lead_id)
    try:
        acknowledge(found, actor=current_user)
    except AcknowledgeRefused:
        return _refused(found, "acknowledge", {"lead": _("This lead cannot be acknowledged.")}, {})
    return _done(found, _("Lead acknowledged."))


@bp.post("/leads/<int:lead_id>/attempts")
def log_attempt(lead_id: int) -> Response:
    """Log a contact attempt by one of the policy's channels, with its fields (CPB-6)."""
    found = lead_to_act_on(lead_id)
    form = request.form.to_dict()
    names = ("subject", "number", "network", "message", "collateral")
    names += tuple(contact_attempts.extra_fields(_policy()))
    fields = {k: form.get(k, "") for k in names}
    try:
        contact_attempts.log_attempt(
            found, form.get("channel", ""), actor=current_user, note=form.get("note", ""), **fields
        )
    except UserError as error:
        return _refused(found, "attempt", {error.field: user_message(error)}, form)
    return _done(found, _("Contact attempt logged."))


@bp.post("/leads/<int:lead_id>/stage")
def move_stage(lead_id: int) -> Response:
    """Move the opportunity to another of the policy's stages (CPB-7)."""
    found = lead_to_act_on(lead_id)
    form = request.form.to_dict()
    stage = form.pop("stage", "")
    try:
        opportunities.move(found, stage, actor=current_user, **form)
    except StageRefused as refusal:
        return _refused(found, "stage", refusal.fields, {**form, "stage": stage})
    return _done(found, _("Stage changed."))


@bp.post("/leads/<int:lead_id>/deal-registration")
def register_deal(lead_id: int) -> Response:
    """Register the deal with its own fields, for the agency's review (CPB-5)."""
    found = lead_to_act_on(lead_id)
    form = request.form.to_dict()
    try:
        deal_registrations.register(found, form, actor=current_user)
    except StageRefused as refusal:
        return _refused(found, "deal", refusal.fields, form)
    return _done(found, _("Deal registered: the agency will review it."))


@bp.post("/leads/<int:lead_id>/feedback")
def give_feedback(lead_id: int) -> Response:
    """Tell the agency of a problem with the lead within the feedback window (CPB-4)."""
    found = lead_to_act_on(lead_id)
    form = request.form.to_dict()
    try:
        feedback_records.give(
            found, form.get("reason", ""), form.get("comment", ""), actor=current_user
        )
    except StageRefused as refusal:
        return _refused(found, "feedback", refusal.fields, form)
    return _done(found, _("Feedback sent to the agency."))


@bp.post("/leads/<int:lead_id>/meeting")
def book_meeting(lead_id: int) -> Response:
    """Book the OQL's meeting (date, time, zone) and e-mail the invitation (CPB-3)."""
    found = lead_to_act_on(lead_id)
    form = request.form.to_dict()
    try:
        meeting = meetings.book(found, form, actor=current_user)
        when = invites.appointment(found, meeting, _policy().calendar.time_zone)
        summary = _summary(found)
        meetings.send_invite(
            found,
            meeting,
            invites.ics(found, when, current_user, summary),
            summary,
            actor=current_user,
        )
    except StageRefused as refusal:
        return _refused(found, "meeting", refusal.fields, form)
    return _done(found, _("Meeting booked and invitation sent."))


def _summary(found) -> str:
    return _("Meeting with %(name)s", name=found.company or found.contact_name)


@bp.get("/leads/<int:lead_id>/invite.ics")
def invite(lead_id: int) -> Response:
    """The lead's meeting as a calendar file, in the appointment's time zone (CPB-1, CPB-3)."""
    found = lead_to_act_on(lead_id)
    when = invites.appointment(found, meetings.meeting_of(found), _policy().calendar.time_zone)
    if when is None:
        return make_response(_("This lead has no meeting booked."), 404)
    holder = found.owner or (current_user if g.membership.role == Role.PARTNER else None)
    response = make_response(invites.ics(found, when, holder, _summary(found)))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="lead-{found.id}.ics"'
    return response
