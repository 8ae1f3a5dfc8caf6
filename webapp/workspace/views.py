"""A workspace's home, its leads and its people."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.leadwork import page
from webapp.models import (
    Lead,
    Membership,
    Role,
)
from webapp.operations import policies, saved_views
from webapp.policy.labels import PolicyLabels
from webapp.queue.queries import Viewer, team_members
from webapp.rendering import render, wants_fragment
from webapp.reports import dashboard as reports_dashboard
from webapp.reports import export
from webapp.tenancy import get_or_404, requires_role, scoped

from . import lead_table, queries
from .blueprint import bp

STAFF = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)


@bp.route("/")
def dashboard() -> Response:
    """The workspace's home: the member's dashboard (webapp.reports.dashboard)."""
    return reports_dashboard.home()


def list_context(filters: queries.LeadFilters | None = None, **extra: Any) -> dict:
    """What the leads list shows the current member: filters with their choices, the page,
    their saved views, and (staff) whom a lead may be handed to."""
    policy = policies.active_policy(g.workspace)
    labels = PolicyLabels.for_request(policy)
    choices = queries.choices(g.workspace, g.membership, policy, labels)
    filters = filters or queries.read_filters(request.args, choices)
    page = None if filters.errors else queries.page_of(g.workspace, policy, filters)
    staff = g.membership.role in STAFF
    me = current_user._get_current_object()
    return {
        "filters": filters,
        "choices": choices,
        "page": page,
        "labels": labels,
        "owners": dict(choices.owners),
        "teams": dict(choices.teams),
        "saved_views": saved_views.views_of(g.workspace, me),
        "may_bulk": staff,
        "assignees": team_members(g.workspace, Viewer(me, g.membership)) if staff else [],
        "sort_columns": [(k, h) for k, h in SORT_COLUMNS if _shown(k, choices)],
        "current_query": urlencode(filters.args()),
        "bulk_errors": {},
        "view_error": None,
        "view_name": "",
        "rename_errors": {},
        **extra,
    }


# The list's columns, in order: (sort key, header).
SORT_COLUMNS = (
    ("contact", _l("Contact")),
    ("status", _l("Status")),
    ("owner", _l("Owner")),
    ("source", _l("Source")),
    ("type", _l("Lead type")),
    ("rating", _l("Rating")),
    ("created", _l("Created")),
    ("updated", _l("Updated")),
)


def _shown(column: str, choices: queries.Choices) -> bool:
    """A column the policy has no use for (lead types, ratings) is left out."""
    return {"type": bool(choices.lead_types), "rating": bool(choices.ratings)}.get(column, True)


@bp.route("/leads")
def leads() -> Response:
    """The workspace's leads the member sees: filters, sortable columns, a page and the total."""
    context = list_context()
    status = 422 if context["filters"].errors else 200
    response = render("workspace/leads.html", "results", status=status, **context)
    if wants_fragment():  # the address bar shows the canonical URL of what is shown
        page_args = context["filters"].args(page=context["filters"].page)
        response.headers["HX-Push-Url"] = url_for("workspace.leads", **page_args)
    return response


@bp.route("/leads/export.csv")
@requires_role(*STAFF)
def export_leads() -> Response:
    """The current view of the list as CSV: the same filters and order, every page."""
    policy = policies.active_policy(g.workspace)
    labels = PolicyLabels.for_request(policy)
    choices = queries.choices(g.workspace, g.membership, policy, labels)
    filters = queries.read_filters(request.args, choices)
    if filters.errors:
        return Response("; ".join(filters.errors.values()), 422, mimetype="text/plain")
    rows = queries.export_rows(g.workspace, policy, filters)
    header, cells = lead_table.csv_table(rows, labels, g.workspace.time_zone)
    return Response(
        export.to_csv(header, cells),
        content_type=export.CSV_TYPE,
        headers={"Content-Disposition": f'attachment; filename="leads-{g.workspace.slug}.csv"'},
    )


@bp.route("/leads/<int:lead_id>")
def lead(lead_id: int) -> Response:
    """One lead: contact details, gates, script, outcome and status forms, its timeline."""
    return render("workspace/lead.html", **page.context(get_or_404(Lead, lead_id)))


@bp.route("/members")
@requires_role(Role.ADMIN, Role.DIRECTOR, Role.MANAGER)
def members() -> Response:
    """Who belongs to this workspace and with which role."""
    rows = db.session.scalars(
        scoped(Membership)
        .options(joinedload(Membership.user), joinedload(Membership.team))
        .order_by(Membership.role, Membership.id)
    ).all()
    return render("workspace/members.html", memberships=rows, workspace=g.workspace)
