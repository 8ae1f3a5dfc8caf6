"""Edit lead on the lead page (issue 12 item 4): its owner or a manager corrects the contact
fields, rating (CCIMA-12), type and the policy's answers (CPB-1)."""

from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.operations import intake, lead_edits, policies
from webapp.policy.labels import PolicyLabels
from webapp.tenancy import lead_to_act_on

from .blueprint import bp, done, lead_page
from .forms import LeadEditForm
from .intake_fields import policy_inputs
from .views import errors_beside


def _edit_request(form: LeadEditForm, labels: PolicyLabels) -> tuple[dict, dict]:
    """The columns and answers the Edit lead form sent, as update_lead takes them."""
    values = {name: form[name].data or "" for name in form.offered(labels.policy)}
    inputs = policy_inputs(g.workspace, labels)
    answers = {
        i.code: request.form.get(i.name, "").strip() for i in inputs if i.name in request.form
    }
    return values, answers


@bp.route("/leads/<int:lead_id>/edit", methods=["POST"])
def edit_lead(lead_id: int) -> Response:
    """Correct the lead's contact fields, rating (CCIMA-12), type and answers (CPB-1): the
    owner or a manager; every problem beside its field, nothing saved until all are right."""
    lead = lead_to_act_on(lead_id)
    me = current_user._get_current_object()
    if not lead_edits.may_edit(lead, me, g.membership):
        abort(403)
    labels = PolicyLabels.for_request(policies.active_policy(g.workspace))
    form = LeadEditForm()
    form.use_policy(labels)
    checked = form.validate_on_submit()
    values, answers = _edit_request(form, labels)
    try:
        if not checked:  # the form's own errors, and the policy's beside them
            raise intake.IntakeInvalid(lead_edits.check(lead, values, answers))
        lead_edits.update_lead(lead, actor=me, values=values, attributes=answers)
    except intake.IntakeInvalid as invalid:
        db.session.rollback()
        others = errors_beside(form, invalid.errors)
        return lead_page(lead, 422, edit_form=form, edit_errors=others)
    return done(lead, _("Lead saved."))
