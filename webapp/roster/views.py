"""The roster page: managers and directors choose who is on this month's and next month's
roster, and see who confirmed (CCIMA-3, CCIMA-4)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from tenants.decisions.roster import (
    roster_gone_out,
    roster_send_instant,
    upcoming_roster_months,
)
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Membership, Role
from webapp.operations import policies, roster
from webapp.rendering import render
from webapp.tenancy import requires_role, scoped

from .blueprint import bp, month_name

PLANNERS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)
CHANNEL_NAMES = {
    "whatsapp": _l("WhatsApp"),
    "telegram": _l("Telegram"),
    "email": _l("e-mail"),
    "in_app": _l("in-app notification"),
}


def _months() -> tuple[date, date]:
    return upcoming_roster_months(policies.active_policy(g.workspace), now())


def _default_month() -> date:
    """This month: who confirmed it; next month is one tab away."""
    return _months()[0]


def _chosen_month(raw: str | None) -> date | None:
    try:
        month = date.fromisoformat(raw or "")
    except ValueError:
        return None
    return month if month in _months() else None


def _render(month: date, status: int = 200, error: str | None = None) -> Response:
    policy = policies.active_policy(g.workspace)
    on_roster = {entry.membership_id for entry in roster.planned(g.workspace, month)}
    return render(
        "roster/plan.html",
        status=status,
        month=month,
        months=_months(),
        month_name=month_name,
        agents=roster.agents(g.workspace),
        on_roster=on_roster,
        enabled=policy.roster.enabled,
        send_at=roster_send_instant(policy, month),
        gone_out=roster_gone_out(policy, month, now()),
        channel=CHANNEL_NAMES.get(policy.roster.channel, policy.roster.channel),
        error=error,
    )


@bp.get("/")
@requires_role(*PLANNERS)
def plan() -> Response:
    """The month's agents with a box each: on the roster or not, and who confirmed."""
    return _render(_chosen_month(request.args.get("month")) or _default_month())


@bp.post("/")
@requires_role(*PLANNERS)
def save() -> Response:
    """Store the month's roster; after it went out, changes take effect at once."""
    month = _chosen_month(request.form.get("month"))
    if month is None:
        return _render(_default_month(), 400, _("Choose this month or next month."))
    try:
        ids = {int(raw) for raw in request.form.getlist("member")}
    except ValueError:
        return _render(month, 400, _("Tick the agents who are on the roster."))
    members = db.session.scalars(scoped(Membership).where(Membership.id.in_(ids))).all()
    if len(members) != len(ids):
        abort(404)  # a member of another workspace, or of none
    try:
        added, removed = roster.plan_month(g.workspace, month, members, actor=current_user)
    except UserError:
        return _render(month, 422, _("Only the workspace's agents can be on its roster."))
    flash(
        _(
            "Roster for %(month)s saved: %(added)d added, %(removed)d removed.",
            month=month_name(month),
            added=added,
            removed=removed,
        ),
        "success",
    )
    return redirect(url_for("roster.plan", month=month.isoformat()))
