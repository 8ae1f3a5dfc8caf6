"""A workspace's home, its leads and its people."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.leadwork import page
from webapp.models import (
    Lead,
    Membership,
    Role,
    Task,
    TaskState,
)
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped

from .blueprint import bp

PAGE_SIZE = 50


@bp.route("/")
def dashboard() -> Response:
    """The workspace's home: counts of what is open and due for me."""
    open_leads = db.session.scalar(
        select(func.count()).select_from(
            scoped(Lead).where(Lead.owner_id == current_user.id).subquery()
        )
    )
    open_tasks = db.session.scalar(
        select(func.count()).select_from(
            scoped(Task)
            .where(Task.assignee_id == current_user.id, Task.state == TaskState.OPEN)
            .subquery()
        )
    )
    return render(
        "workspace/dashboard.html", "content", open_leads=open_leads, open_tasks=open_tasks
    )


@bp.route("/leads")
def leads() -> Response:
    """All leads of the workspace, newest first, with search by name, phone or e-mail."""
    query = request.args.get("q", "").strip()[:100]
    statement = scoped(Lead).options(joinedload(Lead.owner)).order_by(Lead.updated_at.desc())
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Lead.contact_name).like(pattern),
                Lead.phone_e164.like(f"%{query}%"),
                Lead.email_normalised.like(pattern),
            )
        )
    rows = db.session.scalars(statement.limit(PAGE_SIZE)).all()
    return render("workspace/leads.html", "results", leads=rows, query=query)


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
