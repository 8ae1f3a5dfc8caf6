"""The lead page's answer to a lost proposal (BDC-6): confirm it, or keep working the lead."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, g
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.models import Role
from webapp.operations import lost_proposals
from webapp.tenancy import lead_to_act_on

from .blueprint import bp, done, refused

# Besides the lead's owner, who may settle a proposal: the people who manage the queue.
SETTLERS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)


def _settle(lead_id: int, act: Callable[..., object], done_message: str) -> Response:
    lead = lead_to_act_on(lead_id)
    me = current_user._get_current_object()
    if lead.owner_id != me.id and g.membership.role not in SETTLERS:
        abort(403)
    try:
        act(lead, actor=me)
    except UserError:
        message = _("This lead has no open proposal to mark it lost.")
        return refused(lead, 409, message, lost_error=message)
    return done(lead, done_message)


@bp.route("/leads/<int:lead_id>/lost-proposal/confirm", methods=["POST"])
def confirm_lost(lead_id: int) -> Response:
    """Mark the lead lost, as the policy proposed after days without reaching the customer."""
    return _settle(lead_id, lost_proposals.confirm, _("Status changed."))


@bp.route("/leads/<int:lead_id>/lost-proposal/dismiss", methods=["POST"])
def dismiss_lost(lead_id: int) -> Response:
    """Keep working the lead; the count of days without contact starts again."""
    return _settle(lead_id, lost_proposals.dismiss, _("The lead stays open."))
