"""The weekly cut-off page: who is incomplete and each advisor's report (CCIMA-7, CCIMA-8).

Directors and administrators read every advisor's report, a manager those of their team, an
advisor their own. A cut-off is picked from the recent ones (`?cutoff=` its instant); the
latest is shown by default.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, g, request
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.models import Role, WeeklyReport
from webapp.operations import policies
from webapp.policy.labels import PolicyLabels
from webapp.rendering import render
from webapp.report_fields import field_label, field_value, reason_label
from webapp.tenancy import requires_role, scoped

from .blueprint import bp

READERS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER, Role.AGENT)
RECENT_CUTOFFS = 12


def _visible(query: Select) -> Select:
    """Only the reports the caller may read."""
    membership = g.membership
    if membership.role == Role.AGENT:
        return query.where(WeeklyReport.user_id == current_user.id)
    if membership.role == Role.MANAGER and membership.team_id is not None:
        return query.where(WeeklyReport.team_id == membership.team_id)
    return query


def _recent_cutoffs() -> list[datetime]:
    query = _visible(scoped(WeeklyReport)).with_only_columns(WeeklyReport.cutoff_at).distinct()
    return list(
        db.session.scalars(query.order_by(WeeklyReport.cutoff_at.desc()).limit(RECENT_CUTOFFS))
    )


def _chosen(cutoffs: list[datetime]) -> datetime | None:
    """The cut-off asked for (404 if it is not one of the caller's), else the latest."""
    asked = request.args.get("cutoff")
    if not asked:
        return cutoffs[0] if cutoffs else None
    try:
        moment = datetime.fromisoformat(asked)
    except ValueError:
        abort(404)
    if moment not in cutoffs:
        abort(404)
    return moment


@bp.get("/weekly")
@requires_role(*READERS)
def weekly() -> Response:
    """The chosen weekly cut-off: incomplete advisors first, then every report."""
    policy = policies.active_policy(g.workspace)
    cutoffs = _recent_cutoffs()
    cutoff = _chosen(cutoffs)
    reports = []
    if cutoff is not None:
        reports = db.session.scalars(
            _visible(scoped(WeeklyReport))
            .options(joinedload(WeeklyReport.user))
            .where(WeeklyReport.cutoff_at == cutoff)
        ).all()
        reports = sorted(reports, key=lambda r: r.user.name.casefold())
    return render(
        "reports/weekly.html",
        "report",
        policy=policy,
        labels=PolicyLabels.for_request(policy),
        has_cutoff=policy.reporting.weekly_cutoff is not None,
        cutoffs=cutoffs,
        cutoff=cutoff,
        reports=reports,
        incomplete=[r for r in reports if r.incomplete],
        # The fields the reports were made with (the policy may have changed since).
        fields=list(reports[0].figures) if reports else policy.reporting.weekly_report_fields,
        field_label=field_label,
        field_value=field_value,
        reason_label=reason_label,
    )
