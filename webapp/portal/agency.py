"""The agency's side of the portal: allocating leads, answering feedback (CPB-4), reviewing
deal registrations (CPB-5) and each partner organisation's figures."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import DealRegistration, LeadFeedback, PartnerOrganisation, Role, User
from webapp.operations import allocation, deal_registrations, policies
from webapp.operations import feedback as feedback_records
from webapp.operations.opportunities import StageRefused
from webapp.rendering import render
from webapp.tenancy import (
    current_membership,
    get_or_404,
    lead_to_act_on,
    requires_role,
    scoped,
)
from webapp.validation_messages import user_message

from . import context, queries
from .blueprint import bp

STAFF = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)


@bp.post("/leads/<int:lead_id>/allocate")
@requires_role(*STAFF)
def allocate(lead_id: int) -> Response:
    """A manager allocates the lead to a partner organisation (and one of its partners)."""
    found = lead_to_act_on(lead_id)
    organisation = db.session.scalar(
        scoped(PartnerOrganisation).where(
            PartnerOrganisation.id == request.form.get("partner_organisation", type=int)
        )
    )
    partner_id = request.form.get("partner_user", type=int)
    partner = db.session.get(User, partner_id) if partner_id else None
    try:
        if organisation is None:
            raise UserError("partner_organisation", _("Choose a partner organisation."))
        allocation.allocate(found, organisation, partner_user=partner, actor=current_user)
    except UserError as error:
        page = context.lead_page(
            policies.active_policy(g.workspace),
            found,
            errors={"allocate": {error.field: user_message(error)}},
        )
        return render("portal/lead.html", "content", status=422, **page)
    flash(_("Lead allocated to %(name)s.", name=organisation.name), "success")
    return redirect(url_for("portal.lead", lead_id=found.id))


@bp.route("/agency")
@requires_role(*STAFF)
def agency() -> Response:
    """Per partner organisation: allocated, clocks kept, feedback open, deals, wins."""
    policy = policies.active_policy(g.workspace)
    return render(
        "portal/agency.html",
        "content",
        figures=queries.agency_view(policy),
        feedback=queries.open_feedback(),
        deals=queries.submitted_deals(),
        may_answer=current_membership().role in feedback_records.answerers(policy),
        record_label=lambda kind, code: context.record_label(policy, kind, code),
    )


@bp.post("/feedback/<int:feedback_id>/answer")
@requires_role(*STAFF)
def answer_feedback(feedback_id: int) -> Response:
    """The agency answers a partner's feedback; the partner is told (CPB-4)."""
    row = get_or_404(LeadFeedback, feedback_id)
    try:
        feedback_records.answer(
            row,
            request.form.get("answer", ""),
            actor=current_user,
            role=current_membership().role,
        )
    except feedback_records.NotAnAnswerer:
        abort(403)  # the policy's records.kinds.feedback.answered_by leaves this role out
    except StageRefused as refusal:
        for message in refusal.fields.values():
            flash(message, "error")
        return redirect(url_for("portal.agency"))
    flash(_("Answer sent to the partner."), "success")
    return redirect(url_for("portal.agency"))


@bp.post("/deals/<int:registration_id>/review")
@requires_role(*STAFF)
def review_deal(registration_id: int) -> Response:
    """The agency approves or rejects a deal registration (CPB-5)."""
    row = get_or_404(DealRegistration, registration_id)
    try:
        deal_registrations.review(row, request.form.get("status", ""), actor=current_user)
    except StageRefused as refusal:
        for message in refusal.fields.values():
            flash(message, "error")
        return redirect(url_for("portal.agency"))
    flash(_("Deal registration reviewed."), "success")
    return redirect(url_for("portal.agency"))
