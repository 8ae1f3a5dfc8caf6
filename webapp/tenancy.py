"""The workspace a request acts in, the caller's membership there, and scoped queries.

Every tenant-owned query goes through `scoped()`; every object looked up by id from a URL goes
through `get_or_404()`. Asking for another workspace's row is indistinguishable from asking
for a row that does not exist. A partner's view is narrower still (CPB-10): only the leads
`intake.partner_visibility` gives them, and what hangs off those leads; the rest is a 404 too.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from tenants import Policy
from webapp.extensions import db, login_manager
from webapp.models import SLUG_PATTERN, AuditEvent, Lead, Membership, Role, Workspace
from webapp.policy_versions import active_policy
from webapp.redirects import safe_next

M = TypeVar("M")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What may still change in an archived workspace: bringing it back (and signing out of it).
WHILE_ARCHIVED = {"people.archive_workspace"}
# Whose rows: a workspace, its id, or (in a join across workspaces) the column holding it.
Owner = Workspace | int | ColumnElement[Any]
_SLUG = re.compile(SLUG_PATTERN)


def current_workspace() -> Workspace:
    """The workspace this request (or job) acts in; a programming error if there is none."""
    workspace = g.get("workspace")
    if workspace is None:
        raise RuntimeError("no current workspace: scoped access outside a workspace request")
    return workspace


def current_membership() -> Membership | None:
    return g.get("membership")


def _organisation(membership: Membership) -> ColumnElement[bool]:
    """Leads allocated to the member's organisation, or held by one of its partners."""
    return organisation_leads(membership.workspace_id, membership.partner_organisation_id)


def organisation_leads(workspace_id: int, organisation_id: int | None) -> ColumnElement[bool]:
    """Leads allocated to a partner organisation, or held by one of its partners."""
    if organisation_id is None:  # never "no organisation", which is the unassigned pool
        return false()
    its_partners = select(Membership.user_id).where(
        owned_by(Membership, workspace_id),
        Membership.partner_organisation_id == organisation_id,
    )
    return or_(Lead.partner_organisation_id == organisation_id, Lead.owner_id.in_(its_partners))


# Which leads a partner sees, by the policy's intake.partner_visibility (CPB-10). The lead a
# partner holds is always theirs; the unassigned pool never is.
PARTNER_VISIBILITY: dict[str, Callable[[Membership], ColumnElement[bool]]] = {
    "own": lambda m: Lead.owner_id == m.user_id,
    "own_organisation": lambda m: or_(Lead.owner_id == m.user_id, _organisation(m)),
    "all": lambda m: or_(Lead.owner_id == m.user_id, Lead.partner_organisation_id.is_not(None)),
}


def visible_leads(membership: Membership | None, policy: Policy) -> ColumnElement[bool]:
    """The condition on Lead for the leads `membership` sees: all of the workspace's (staff,
    agents, jobs and API keys, which have no membership), a partner only their own."""
    if membership is None or membership.role != Role.PARTNER:
        return true()
    return PARTNER_VISIBILITY[policy.intake.partner_visibility](membership)


def _narrowing(model: type) -> ColumnElement[bool] | None:
    """What the current member may not see of `model` beyond other workspaces: for a partner,
    the leads they are not given, and the rows reached through those leads."""
    membership = current_membership()
    key = g.get("api_key")
    if key is not None and key.partner_organisation_id is not None:
        # A partner organisation's API key sees that organisation's leads (CPB-10).
        visible = organisation_leads(key.workspace_id, key.partner_organisation_id)
    elif membership is None or membership.role != Role.PARTNER:
        return None
    else:
        visible = visible_leads(membership, active_policy(current_workspace()))
    if model is Lead:
        return visible
    their_leads = select(Lead.id).where(owned_by(Lead, current_workspace()), visible)
    if model is AuditEvent:
        return and_(AuditEvent.subject_type == "leads", AuditEvent.subject_id.in_(their_leads))
    lead_id = getattr(model, "lead_id", None)
    if lead_id is None:
        return None
    return or_(lead_id.is_(None), lead_id.in_(their_leads))


def owned_by(model: Any, workspace: Owner) -> ColumnElement[bool]:
    """The condition "this row of `model` (a model or an alias of one) belongs to `workspace`",
    for what `scoped()` cannot say itself: a column-only SELECT, a subquery, a join's ON
    clause, an UPDATE or DELETE. The only place a query compares `workspace_id`."""
    if isinstance(workspace, Workspace):
        workspace = workspace.id
    return model.workspace_id == workspace


def in_live_workspace(model: Any) -> ColumnElement[bool]:
    """The condition "this row belongs to a workspace that is not archived", for the sweeps
    that run across workspaces (an archived workspace's clocks stand still)."""
    return model.workspace_id.not_in(select(Workspace.id).where(Workspace.archived_at.is_not(None)))


def scoped(model: type[M], workspace: Owner | None = None) -> Select[tuple[M]]:
    """SELECT over `model` limited to one workspace.

    Without `workspace`: the current request's, narrowed to what the current member sees (a
    partner: only the leads given to them, and the rows hanging off those). With `workspace`
    (operations, jobs, read models that apply `visible_leads` themselves): all of that
    workspace's rows, whoever asks; a job passes its workspace and never sets `g.workspace`.
    """
    if workspace is not None:
        return select(model).where(owned_by(model, workspace))
    statement = select(model).where(owned_by(model, current_workspace()))
    narrowing = _narrowing(model)
    return statement if narrowing is None else statement.where(narrowing)


def get_or_404(model: type[M], object_id: Any) -> M:
    """The current workspace's `model` row with this id (one the member may see), else 404."""
    row = db.session.scalar(scoped(model).where(model.id == object_id))
    if row is None:
        abort(404)
    return row


class LeadAction(enum.StrEnum):
    WORK = "work"  # log an outcome, change the status, acknowledge, settle a proposal
    CLAIM = "claim"  # take an unassigned lead


def may(membership: Membership | None, action: LeadAction) -> bool:
    """Whether `membership`'s role may `action` a lead it sees: partners never claim."""
    if action == LeadAction.CLAIM:
        return membership is not None and membership.role != Role.PARTNER
    return True


def lead_to_act_on(lead_id: Any, action: LeadAction = LeadAction.WORK) -> Lead:
    """The lead in the URL for the current member to `action`: 404 unless they see it (another
    workspace's, another partner organisation's), 403 unless their role may do it."""
    lead = get_or_404(Lead, lead_id)
    if not may(current_membership(), action):
        abort(403)
    return lead


def requires_role(*roles: Role) -> Callable:
    """Let only members holding one of `roles` in the current workspace through (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            membership = current_membership()
            if membership is None or membership.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def load_workspace_for_member(slug: str) -> tuple[Workspace, Membership]:
    """Resolve a URL slug to (workspace, membership) for the logged-in user, or 404."""
    if not _SLUG.match(slug):
        abort(404)
    row = db.session.execute(
        select(Workspace, Membership)
        .join(Membership, owned_by(Membership, Workspace.id))
        .where(Workspace.slug == slug, Membership.user_id == current_user.id)
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def workspace_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint whose every URL lives under /w/<workspace>/ and needs a member."""
    bp = Blueprint(name, import_name, url_prefix=f"/w/<workspace>{url_prefix}")

    @bp.url_value_preprocessor
    def _pull_workspace(endpoint: str | None, values: dict[str, Any] | None) -> None:
        g.workspace_slug = (values or {}).pop("workspace", None)

    @bp.before_request
    def _resolve_membership() -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        g.workspace, g.membership = load_workspace_for_member(g.workspace_slug)
        if not g.membership.active:
            abort(404)  # a deactivated member belongs here no more
        archived = g.workspace.archived_at is not None
        if (
            archived
            and request.method not in SAFE_METHODS
            and request.endpoint not in WHILE_ARCHIVED
        ):
            abort(409)  # the error page says the workspace is archived
        return None

    @bp.url_defaults
    def _add_workspace(endpoint: str, values: dict[str, Any]) -> None:
        if "workspace" not in values and g.get("workspace") is not None:
            values["workspace"] = g.workspace.slug

    return bp


def redirect_to_home() -> Any:
    """Send a signed-in user to their first workspace, or to the picker."""
    memberships = [m for m in current_user.memberships if m.active]
    if len(memberships) == 1:
        # Partners work in the portal (CPB), not the agents' queue.
        home = "portal.inbox" if memberships[0].role == Role.PARTNER else "workspace.dashboard"
        return redirect(url_for(home, workspace=memberships[0].workspace.slug))
    return redirect(url_for("auth.workspaces", next=safe_next(request.args.get("next"))))
