"""The scheduled reports' "send now" (issue 15 item 6): a manager sends one again for its
latest complete period, through the operation that the clock uses (audited)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.models import Role
from webapp.operations import policies
from webapp.tenancy import requires_role

from . import scheduled
from .blueprint import bp

SENDERS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)


@bp.post("/scheduled/<int:index>/send")
@requires_role(*SENDERS)
def send_scheduled(index: int) -> Response:
    """Send the policy's `index`-th scheduled report now."""
    if index >= len(policies.active_policy(g.workspace).reporting.scheduled):
        abort(404)
    sent = scheduled.send_now(g.workspace, index, actor=current_user)
    flash(_("Report sent. Messages written: %(count)d.", count=sent), "success")
    return redirect(url_for("workspace.dashboard"))
