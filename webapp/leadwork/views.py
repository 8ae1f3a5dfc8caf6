"""Agents' forms: a new lead taken by phone or in person, an outcome, a status change."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Task
from webapp.operations import accounts, acknowledgements, intake, outcomes, policies, tasks
from webapp.policy.labels import PolicyLabels
from webapp.queue import tasks_ui
from webapp.rendering import render
from webapp.tenancy import get_or_404, lead_to_act_on
from webapp.validation_messages import user_message

from . import page
from .blueprint import bp, done, lead_page, refused
from .forms import IntakeForm, OutcomeForm, StatusForm
from .intake_fields import PolicyInput, asked_columns, policy_inputs, required_columns
from .refusals import OutcomeRefused, refusal_message

Refused = acknowledgements.AcknowledgeRefused
ACKNOWLEDGE_REFUSALS = {
    Refused.NOT_HOLDER: (403, _l("Only the partner holding this lead can acknowledge it.")),
    Refused.ALREADY: (409, _l("This lead has already been acknowledged.")),
    Refused.CLOSED: (409, _l("This lead is closed: there is nothing left to acknowledge.")),
}


def _me():
    return current_user._get_current_object()


def _intake_request(
    form: IntakeForm, labels: PolicyLabels, inputs: list[PolicyInput]
) -> intake.IntakeRequest:
    attributes = {i.code: value for i in inputs if (value := request.form.get(i.name, "").strip())}
    taken = form.taken.data and form.channel.data in labels.policy.intake.taker_channels
    return intake.IntakeRequest(
        contact_name=form.contact_name.data or "",
        channel=form.channel.data or "manual",
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


def errors_beside(form, errors: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Put each intake error on its field (each once); the rest (attributes, ...) by name."""
    others: dict[str, list[str]] = {}
    for name, message in errors:
        field = form._fields.get("contact_name" if name == "taken_by" else name)
        if field is not None and name != "csrf_token":
            if message not in field.errors:
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
    inputs = policy_inputs(g.workspace, labels)
    other_errors: dict[str, list[str]] = {}
    status = 200
    if form.is_submitted():
        status = 422
        checked = form.validate()
        lead_request = _intake_request(form, labels, inputs)
        try:
            if not checked:  # every problem at once: the policy's too (issue 9 item 19)
                raise intake.IntakeInvalid(
                    intake.validate(g.workspace, labels.policy, lead_request)
                )
            result = intake.receive_lead(g.workspace, lead_request, actor=_me())
        except intake.IntakeInvalid as invalid:
            other_errors = errors_beside(form, invalid.errors)
        else:
            _report(result)
            return redirect(url_for("workspace.lead", lead_id=result.lead.id))
    return render(
        "leadwork/new.html",
        "intake_form",
        status=status,
        form=form,
        labels=labels,
        inputs=inputs,
        type_labels=lambda codes: ", ".join(labels.lead_type(c) for c in codes),
        taker_labels=", ".join(
            label
            for code, label in labels.channels()
            if code in labels.policy.intake.taker_channels
        ),
        asked=asked_columns(labels.policy),
        required=required_columns(labels.policy),
        other_errors=other_errors,
        values=request.form,
    )


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
        except OutcomeRefused as refusal:  # L411-4, L411-5: said beside the outcome
            form.outcome.errors = [refusal_message(refusal, labels)]
        except UserError as error:
            getattr(form, error.field, form.outcome).errors = [user_message(error)]
        else:
            return done(lead, _("Outcome recorded."))
    return lead_page(lead, 422, outcome_form=form)


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
                revenue=form.revenue.data if won else None,  # Decimal, read in the locale
                commissions={
                    "advisor_commission": form.advisor_commission.data if won else None,
                    "manager_commission": form.manager_commission.data if won else None,
                },
            )
        except UserError as error:
            getattr(form, error.field, form.status).errors = [user_message(error)]
        else:
            return done(lead, _("Status changed."))
    return lead_page(lead, 422, status_form=form)


@bp.route("/leads/<int:lead_id>/acknowledge", methods=["POST"])
def acknowledge(lead_id: int) -> Response:
    """The partner holding the lead says they have reviewed it (CPB-2): its review clock stops."""
    lead = lead_to_act_on(lead_id)
    try:
        acknowledgements.acknowledge(lead, actor=_me())
    except Refused as refusal:
        status, message = ACKNOWLEDGE_REFUSALS[refusal.reason]
        return refused(lead, status, str(message), acknowledge_error=str(message))
    return done(lead, _("Lead acknowledged."))


@bp.route("/leads/<int:lead_id>/close-card", methods=["POST"])
def close_card(lead_id: int) -> Response:
    """The account's open card (e.g. its upsell card) was closed: the cooldown starts (L411-9)."""
    lead = lead_to_act_on(lead_id)
    card = request.form.get("card", "")
    if lead.account is None or card not in accounts.facts_of(lead.account)["open_cards"]:
        message = _("This card is not open on the account.")
        return refused(lead, 422, message, card_error=message)
    accounts.close_card(lead.account, card, actor=_me())
    return done(lead, _("Card closed: the account may be offered again once its cooldown ends."))


def _close_task(lead_id: int, task_id: int, close) -> Response:
    """Done or Cancel on the lead page: the page's work block again, or back to the page."""
    lead = lead_to_act_on(lead_id)
    task = get_or_404(Task, task_id)
    if task not in tasks.tasks_of(lead):
        abort(404)
    try:
        close(task, actor=_me(), membership=g.membership)
    except tasks.CloseRefused as refusal:
        db.session.rollback()
        status, message = tasks_ui.TASK_REFUSALS[refusal.reason]
        return refused(lead, status, str(message), task_error=str(message))
    return done(lead, _("Task closed."))


@bp.route("/leads/<int:lead_id>/tasks/<int:task_id>/done", methods=["POST"])
def task_done(lead_id: int, task_id: int) -> Response:
    """Mark one of the lead's tasks done (its assignee, their manager or an administrator)."""
    return _close_task(lead_id, task_id, tasks.complete)


@bp.route("/leads/<int:lead_id>/tasks/<int:task_id>/cancel", methods=["POST"])
def task_cancel(lead_id: int, task_id: int) -> Response:
    """Cancel one of the lead's tasks: nothing is left to do."""
    return _close_task(lead_id, task_id, tasks.cancel)
