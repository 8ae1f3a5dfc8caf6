"""Agents' forms: a new lead taken by phone or in person, an outcome, a status change."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import htmx
from webapp.models import Lead
from webapp.operations import acknowledgements, intake, outcomes, policies
from webapp.operations.users import UserError
from webapp.policy.labels import PolicyLabels
from webapp.rendering import render
from webapp.tenancy import lead_to_act_on, workspace_blueprint

from . import page
from .forms import TAKEN_CHANNELS, IntakeForm, OutcomeForm, StatusForm

bp = workspace_blueprint("leadwork", __name__)

Refused = acknowledgements.AcknowledgeRefused
ACKNOWLEDGE_REFUSALS = {
    Refused.NOT_HOLDER: (403, _l("Only the partner holding this lead can acknowledge it.")),
    Refused.ALREADY: (409, _l("This lead has already been acknowledged.")),
    Refused.CLOSED: (409, _l("This lead is closed: there is nothing left to acknowledge.")),
}


def _me():
    return current_user._get_current_object()


def _qualification_fields(labels: PolicyLabels) -> list[str]:
    names: list[str] = []
    for lead_type in labels.policy.intake.lead_types:
        names += [q for q in lead_type.qualification_fields if q not in names]
    return names


def _intake_request(form: IntakeForm, qualification: list[str]) -> intake.IntakeRequest:
    attributes = {
        name: value for name in qualification if (value := request.form.get(f"attr_{name}", ""))
    }
    taken = form.taken.data and form.channel.data in TAKEN_CHANNELS
    return intake.IntakeRequest(
        contact_name=form.contact_name.data or "",
        channel=form.channel.data,
        phone=form.phone.data or None,
        email=form.email.data or None,
        company=form.company.data or None,
        account_ref=form.account_ref.data or None,
        source=form.source.data or None,
        lead_type=form.lead_type.data or None,
        rating=form.rating.data or None,
        attributes=attributes,
        taken_by_id=_me().id if taken else None,
    )


def _errors_beside(form: IntakeForm, errors: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Put each intake error on its field; the rest (qualification, ...) by name."""
    others: dict[str, list[str]] = {}
    for name, message in errors:
        field = getattr(form, "contact_name" if name == "taken_by" else name, None)
        if field is not None and hasattr(field, "errors") and name in form._fields:
            field.errors = [*field.errors, message]
        else:
            others.setdefault(name.removeprefix("attributes."), []).append(message)
    return others


def _report(result: intake.IntakeResult) -> None:
    if result.joined:  # BDC-7
        flash(
            _("This request joined the existing file of %(name)s.", name=result.lead.contact_name)
        )
        return
    flash(_("Lead %(name)s received.", name=result.lead.contact_name))
    for loser in result.invalidated:  # BDC-2
        owner = loser.owner.name if loser.owner else _("nobody")
        flash(
            _(
                "The e-mail lead of %(name)s (owner: %(owner)s) was marked invalid: %(note)s",
                name=loser.contact_name,
                owner=owner,
                note=loser.invalid_reason or "",
            )
        )


@bp.route("/leads/new", methods=["GET", "POST"])
def new_lead() -> Response:
    """Record a lead the agent took by phone, in person or by hand."""
    labels = PolicyLabels.for_request(policies.active_policy(g.workspace))
    form = IntakeForm()
    form.use_policy(labels)
    qualification = _qualification_fields(labels)
    other_errors: dict[str, list[str]] = {}
    status = 200
    if form.validate_on_submit():
        try:
            result = intake.receive_lead(
                g.workspace, _intake_request(form, qualification), actor=_me()
            )
        except intake.IntakeInvalid as invalid:
            other_errors = _errors_beside(form, invalid.errors)
            status = 422
        else:
            _report(result)
            return redirect(url_for("workspace.lead", lead_id=result.lead.id))
    elif form.is_submitted():
        status = 422
    return render(
        "leadwork/new.html",
        "intake_form",
        status=status,
        form=form,
        labels=labels,
        qualification=qualification,
        other_errors=other_errors,
        values=request.form,
    )


def _lead_page(lead: Lead, status: int = 200, acknowledge_error: str = "", **forms) -> Response:
    context = {**page.context(lead, **forms), "acknowledge_error": acknowledge_error}
    return render("workspace/lead.html", "work", status=status, **context)


@bp.route("/leads/<int:lead_id>/outcome", methods=["POST"])
def record_outcome(lead_id: int) -> Response:
    """Record a call's outcome; the policy's effects follow (L411-5..11)."""
    lead = lead_to_act_on(lead_id)
    labels = PolicyLabels.for_request(policies.active_policy(g.workspace))
    form = OutcomeForm()
    form.use_policy(labels)
    if not form.outcome.data:
        form.outcome.errors = [_("Choose the outcome of the call.")]
    elif form.validate_on_submit():
        known = set(page.outcome_facts(labels.policy))
        try:
            outcomes.record_outcome(
                lead,
                form.outcome.data,
                actor=_me(),
                note=form.note.data or "",
                channel=form.channel.data,
                true_facts=[f for f in request.form.getlist("facts") if f in known],
            )
        except UserError as error:
            getattr(form, error.field, form.outcome).errors = [str(error)]
        else:
            if not htmx:
                flash(_("Outcome recorded."))
                return redirect(url_for("workspace.lead", lead_id=lead.id))
            return _lead_page(lead)
    return _lead_page(lead, 422, outcome_form=form)


@bp.route("/leads/<int:lead_id>/status", methods=["POST"])
def change_status(lead_id: int) -> Response:
    """Move the lead to another status of the policy; a won deal may carry its revenue."""
    lead = lead_to_act_on(lead_id)
    labels = PolicyLabels.for_request(policies.active_policy(g.workspace))
    form = StatusForm()
    form.use_policy(labels)
    if form.validate_on_submit():
        won = form.status.data in labels.policy.intake.won_codes
        try:
            outcomes.change_status(
                lead,
                form.status.data,
                actor=_me(),
                reason=form.reason.data or "",
                revenue=form.revenue.data if won else None,
            )
        except UserError as error:
            getattr(form, error.field, form.status).errors = [str(error)]
        else:
            if not htmx:
                flash(_("Status changed."))
                return redirect(url_for("workspace.lead", lead_id=lead.id))
            return _lead_page(lead)
    return _lead_page(lead, 422, status_form=form)


@bp.route("/leads/<int:lead_id>/acknowledge", methods=["POST"])
def acknowledge(lead_id: int) -> Response:
    """The partner holding the lead says they have reviewed it (CPB-2): its review clock stops."""
    lead = lead_to_act_on(lead_id)
    try:
        acknowledgements.acknowledge(lead, actor=_me())
    except Refused as refused:
        status, message = ACKNOWLEDGE_REFUSALS[refused.reason]
        if not htmx:
            flash(str(message), "error")
            return redirect(url_for("workspace.lead", lead_id=lead.id))
        return _lead_page(lead, status, acknowledge_error=str(message))
    if not htmx:
        flash(_("Lead acknowledged."))
        return redirect(url_for("workspace.lead", lead_id=lead.id))
    return _lead_page(lead)


# The lost proposal's confirm and dismiss (BDC-6) join this blueprint.
from . import lost_views  # noqa: E402, F401
