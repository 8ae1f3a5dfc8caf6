"""What a manager does from the leads list: bulk reassign and bulk status change (each lead
through the single-lead operation, reported per lead), and a member's saved views."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Lead, Membership, SavedView, User
from webapp.operations import bulk_leads, policies, saved_views
from webapp.policy.labels import PolicyLabels
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped
from webapp.validation_messages import user_message

from . import queries
from .blueprint import bp
from .views import STAFF, list_context

BULK_MAX = 500  # leads in one bulk change (ten pages of the list)
REASON_MAX = 300


def _me() -> User:
    return current_user._get_current_object()


def _filters_of(query: str) -> queries.LeadFilters:
    """The list's filters a form carried back (re-read and checked, never trusted)."""
    policy = policies.active_policy(g.workspace)
    choices = queries.choices(g.workspace, g.membership, policy, PolicyLabels.for_request(policy))
    return queries.read_filters(dict(parse_qsl(query[: saved_views.QUERY_MAX])), choices)


def _back(filters: queries.LeadFilters) -> str:
    return url_for("workspace.leads", **filters.args())


def _page_with(filters: queries.LeadFilters, status: int, **extra) -> Response:
    return render("workspace/leads.html", status=status, **list_context(filters, **extra))


def _selected() -> list[Lead] | None:
    """The leads the form names, all of them visible to the member; None if there are none;
    404 if any is not (another workspace's, another partner organisation's, made up)."""
    raw = request.form.getlist("lead")
    if not raw:
        return None
    if len(raw) > BULK_MAX or not all(r.isdigit() and len(r) < 10 for r in raw):
        abort(422)
    ids = sorted({int(r) for r in raw})
    found = db.session.scalars(scoped(Lead).where(Lead.id.in_(ids)).order_by(Lead.id)).all()
    if len(found) != len(ids):
        abort(404)  # nothing is applied: a lead the member does not see is not there
    return list(found)


def _assignee() -> User | None:
    """The member the leads go to, if the id names a member of this workspace."""
    raw = request.form.get("to", "")
    if not raw.isdigit() or len(raw) > 9:
        return None
    member = db.session.scalar(scoped(Membership).where(Membership.user_id == int(raw)))
    return db.session.get(User, member.user_id) if member is not None else None


def _summary(result: bulk_leads.BulkResult, done: str) -> str:
    parts = [done] if result.changed else []
    if result.unchanged:
        parts.append(
            ngettext(
                "%(num)d was already so and is unchanged.",
                "%(num)d were already so and are unchanged.",
                len(result.unchanged),
            )
        )
    if result.refused:
        reasons = "; ".join(f"{name}: {why}" for _id, name, why in result.refused)
        parts.append(
            ngettext(
                "%(num)d refused: %(reasons)s",
                "%(num)d refused: %(reasons)s",
                len(result.refused),
                reasons=reasons,
            )
        )
    return " ".join(parts) or _("Nothing changed.")


@bp.route("/leads/bulk", methods=["POST"])
@requires_role(*STAFF)
def bulk() -> Response:
    """Reassign the selected leads, or move them to a status: each lead through the same
    operation as on its own page, one audit event each; refusals reported per lead."""
    filters = _filters_of(request.form.get("back", ""))
    leads = _selected()
    action = request.form.get("action")
    reason = request.form.get("reason", "").strip()[:REASON_MAX]
    errors: dict[str, str] = {}
    if leads is None:
        errors["lead"] = _("Select at least one lead.")
    if action == "reassign":
        to = _assignee()
        if to is None:
            errors["to"] = _("Choose who takes the leads.")
        if errors:
            return _page_with(filters, 422, bulk_errors=errors)
        result = bulk_leads.reassign_each(leads, to, actor=_me(), reason=reason)
        done = ngettext(
            "%(num)d lead reassigned to %(name)s.",
            "%(num)d leads reassigned to %(name)s.",
            len(result.changed),
            name=to.name,
        )
    elif action == "status":
        policy = policies.active_policy(g.workspace)
        status = request.form.get("status", "")
        if status not in policy.intake.status_codes:
            errors["status"] = _("Choose a status from the list.")
        if errors:
            return _page_with(filters, 422, bulk_errors=errors)
        result = bulk_leads.change_status_each(leads, status, actor=_me(), reason=reason)
        done = ngettext(
            "%(num)d lead moved to %(status)s.",
            "%(num)d leads moved to %(status)s.",
            len(result.changed),
            status=PolicyLabels.for_request(policy).status(status),
        )
    else:
        errors.setdefault("lead", _("Choose what to do with the selected leads."))
        return _page_with(filters, 422, bulk_errors=errors)
    flash(_summary(result, done), "error" if result.refused else "message")
    return redirect(_back(filters))


def _my_view(view_id: int) -> SavedView:
    """One of the member's own views: another member's (or workspace's) is a 404."""
    view = get_or_404(SavedView, view_id)
    if view.user_id != current_user.id:
        abort(404)
    return view


@bp.route("/leads/views", methods=["POST"])
def create_view() -> Response:
    """Save the list's current filters and sort under a name, for this member only."""
    filters = _filters_of(request.form.get("query", ""))
    name = request.form.get("name", "")[:200]
    try:
        saved_views.create_view(g.workspace, _me(), name, urlencode(filters.args()))
    except UserError as error:
        db.session.rollback()
        return _page_with(filters, 422, view_error=user_message(error), view_name=name)
    flash(_("View saved."))
    return redirect(_back(filters))


@bp.route("/leads/views/<int:view_id>/rename", methods=["POST"])
def rename_view(view_id: int) -> Response:
    """Give one of my views another name."""
    view = _my_view(view_id)
    filters = _filters_of(view.query)
    try:
        saved_views.rename_view(view, request.form.get("name", "")[:200], actor=_me())
    except UserError as error:
        db.session.rollback()
        return _page_with(filters, 422, rename_errors={view_id: user_message(error)})
    flash(_("View renamed."))
    return redirect(_back(filters))


@bp.route("/leads/views/<int:view_id>/delete", methods=["POST"])
def delete_view(view_id: int) -> Response:
    """Forget one of my views."""
    saved_views.delete_view(_my_view(view_id), actor=_me())
    flash(_("View deleted."))
    return redirect(url_for("workspace.leads"))
