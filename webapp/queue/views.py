"""The agent's queue: my open leads and tasks, most urgent first, live without a reload."""

from __future__ import annotations

import time

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.htmx_answers import redirect_or_fragment, unchanged
from webapp.live_versions import QUEUES, TEAM
from webapp.models import Lead, Role, Task, User
from webapp.operations import assignment, policies, tasks
from webapp.policy.labels import PolicyLabels
from webapp.rendering import render
from webapp.tenancy import (
    LeadAction,
    get_or_404,
    lead_to_act_on,
    requires_role,
)

from . import queries, tasks_ui
from .blueprint import bp

# Time-based parts of the list (today's rounds) refresh at least this often without a change.
TIME_BUCKET_SECONDS = 300
TASK_KINDS = tasks_ui.TASK_KINDS
task_kind_label = tasks_ui.task_kind_label


def _viewer() -> queries.Viewer:
    return queries.Viewer(current_user._get_current_object(), g.membership)


def _version(filters: queries.Filters) -> str:
    who = TEAM if filters.scope == "team" else current_user.id
    return f"{QUEUES.current(g.workspace.id, who)}.{int(time.time()) // TIME_BUCKET_SECONDS}"


def _context(filters: queries.Filters, version: str) -> dict:
    policy = policies.active_policy(g.workspace)
    viewer = _viewer()
    labels = PolicyLabels.for_request(policy)
    return {
        "filters": filters,
        "version": version,
        "labels": labels,
        "policy": policy,
        "viewer": viewer,
        "items": queries.open_leads(g.workspace, policy, viewer, filters),
        "tasks": queries.open_tasks(g.workspace, viewer, filters.scope, policy=policy),
        "members": queries.team_members(g.workspace, viewer)
        if viewer.is_staff and filters.scope == "team"
        else [],
        "channel_label": labels.contact_channel,
        **tasks_ui.HELPERS,
    }


@bp.route("/")
def index() -> Response:
    """My queue; a poll carrying the version it shows gets 204 while nothing changed."""
    filters = queries.Filters.from_args(request.args)
    version = _version(filters)
    if request.args.get("v") == version:
        return unchanged()
    return render("queue/queue.html", "queue_list", **_context(filters, version))


@bp.route("/next")
def next_lead() -> Response:
    """Open the most urgent lead of my queue."""
    policy = policies.active_policy(g.workspace)
    first = queries.open_leads(g.workspace, policy, _viewer(), queries.Filters(), limit=1)
    if not first:
        flash(_("Your queue is empty."))
        return redirect(url_for("queue.index"))
    return redirect(url_for("workspace.lead", lead_id=first[0].lead.id))


def _row(lead: Lead, status: int = 200, error: str | None = None) -> Response:
    """One lead's row as the team view shows it, after a claim or a reassignment."""
    policy = policies.active_policy(g.workspace)
    viewer = _viewer()
    found = queries.open_leads(g.workspace, policy, viewer, queries.Filters(), lead_id=lead.id)
    item = found[0] if found else queries.QueueLead(lead, None, None, [])
    return render(
        "queue/_lead_row.html",
        status=status,
        item=item,
        error=error,
        labels=PolicyLabels.for_request(policy),
        viewer=viewer,
        filters=queries.Filters(scope="team"),
        members=queries.team_members(g.workspace, viewer) if viewer.is_staff else [],
    )


def _answer(lead: Lead, message: str | None, status: int) -> Response:
    to = url_for("queue.index", scope="team")
    category = "error" if message else "info"
    return redirect_or_fragment(
        to, lambda: _row(lead, status, message), message or _("Done."), category
    )


@bp.route("/leads/<int:lead_id>/claim", methods=["POST"])
def claim(lead_id: int) -> Response:
    """Take an unassigned lead; of two agents claiming at once, one wins (never a partner)."""
    lead = lead_to_act_on(lead_id, LeadAction.CLAIM)
    try:
        assignment.claim(lead, current_user._get_current_object())
    except assignment.ClaimRefused:
        db.session.refresh(lead)
        return _answer(lead, _("Someone else has just taken this lead."), 409)
    return _answer(lead, None, 200)


REASON_MAX = 300  # why a lead was reassigned, as the audit trail keeps it


@bp.route("/leads/<int:lead_id>/reassign", methods=["POST"])
@requires_role(Role.ADMIN, Role.DIRECTOR, Role.MANAGER)
def reassign(lead_id: int) -> Response:
    """A manager hands a lead to a member of the team."""
    lead = get_or_404(Lead, lead_id)
    to = db.session.get(User, request.form.get("to", type=int) or 0)
    if to is None:
        return _answer(lead, _("Choose who takes the lead."), 422)
    reason = request.form.get("reason", "").strip()
    if len(reason) > REASON_MAX:
        return _answer(lead, _("At most %(num)d characters.", num=REASON_MAX), 422)
    try:
        assignment.reassign(lead, to, actor=current_user._get_current_object(), reason=reason)
    except UserError:
        db.session.rollback()
        # Never the person's name: the id may be anyone's, in any workspace.
        return _answer(lead, _("The chosen person is not a member of this workspace."), 422)
    return _answer(lead, None, 200)


def _close_task(task_id: int, close) -> Response:
    """Done or Cancel from the queue: the list again (htmx) or back to the queue."""
    task = get_or_404(Task, task_id)
    scope = "team" if request.form.get("scope") == "team" else "mine"
    error = None
    status = 200
    try:
        close(task, actor=current_user._get_current_object(), membership=g.membership)
    except tasks.CloseRefused as refused:
        db.session.rollback()
        status, message = tasks_ui.TASK_REFUSALS[refused.reason]
        error = str(message)

    def queue_list() -> Response:
        filters = queries.Filters(scope=scope)
        context = _context(filters, _version(filters))
        return render("queue/queue.html", "queue_list", status=status, task_error=error, **context)

    to = url_for("queue.index", scope=scope if scope == "team" else None)
    message = error or _("Task closed.")
    return redirect_or_fragment(to, queue_list, message, "error" if error else "info")


@bp.route("/tasks/<int:task_id>/done", methods=["POST"])
def task_done(task_id: int) -> Response:
    """Mark a task done (its assignee, their manager or an administrator)."""
    return _close_task(task_id, tasks.complete)


@bp.route("/tasks/<int:task_id>/cancel", methods=["POST"])
def task_cancel(task_id: int) -> Response:
    """Cancel a task: nothing is left to do."""
    return _close_task(task_id, tasks.cancel)
