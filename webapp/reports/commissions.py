"""CCIMA-13's commission pool: the policy's shares of the advisors' and the managers'
commissions on the deals won in a period go to the support team's pool, divided among its
members equally or by the policy's weights. Grouped by member it is each one's statement.

The commissions are summed in SQL over the won status moves (webapp.models.LeadStatusMove:
the Won form or the API recorded them there, as in the audit trail); only the split among
the team's members is done here.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from webapp.extensions import db
from webapp.models import LeadStatusMove, Membership, Team, User
from webapp.tenancy import scoped

from .cut import Cut
from .registry import MONEY, RATIO, Column, Row, metric

HUNDRED = Decimal(100)


def _commission_sums(cut: Cut) -> tuple[Decimal, Decimal]:
    """The advisors' and the managers' commissions of the deals won in the period."""
    won = sorted(cut.policy.intake.won_codes) or [""]
    query = (
        scoped(LeadStatusMove)
        .with_only_columns(
            func.coalesce(func.sum(LeadStatusMove.advisor_commission), 0),
            func.coalesce(func.sum(LeadStatusMove.manager_commission), 0),
        )
        .where(cut.during(LeadStatusMove.moved_at), LeadStatusMove.status.in_(won))
    )
    advisor, manager = db.session.execute(query).one()
    return Decimal(str(advisor)), Decimal(str(manager))


def pool_amount(advisor: Decimal, manager: Decimal, agent_percent: float, manager_percent: float):
    """10,000 at 0.50 % and 4,000 at 0.15 % make 56."""
    return (
        advisor * Decimal(str(agent_percent)) + manager * Decimal(str(manager_percent))
    ) / HUNDRED


def _members(cut: Cut, team_code: str) -> list[tuple[int, str]]:
    """(user id, e-mail) of the pool team's members."""
    team = scoped(Team).with_only_columns(Team.id).where(Team.code == team_code)
    query = (
        scoped(Membership)
        .select_from(Membership)
        .with_only_columns(User.id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id.in_(team))
        .order_by(User.id)
    )
    return [tuple(r) for r in db.session.execute(query).all()]


@metric(
    "commission_pool",
    _l("Commission pool"),
    (Column("weight", _l("Weight"), RATIO), Column("value", _l("Share of the pool"), MONEY)),
    dimensions=("member",),
    applies=lambda policy: policy.reporting.commission_sharing is not None,
    headline=("value",),
)
def commission_pool(cut: Cut) -> list[Row]:
    """The pool of the period (the total) or each support-team member's share of it."""
    sharing = cut.policy.reporting.commission_sharing
    if sharing is None:
        return []
    pool = pool_amount(*_commission_sums(cut), sharing.agent_percent, sharing.manager_percent)
    if cut.dimension is None:
        return [{"key": None, "weight": None, "value": pool}]
    members = _members(cut, sharing.pool_team)
    weights = {
        uid: (sharing.weights.get(email, 1.0) if sharing.distribution == "weighted" else 1.0)
        for uid, email in members
    }
    whole = sum(weights.values())
    rows = [
        {"key": uid, "weight": w, "value": pool * Decimal(str(w)) / Decimal(str(whole))}
        for uid, w in weights.items()
        if whole
    ]
    if cut.viewer.user_id is not None:  # an agent reads their own statement
        rows = [r for r in rows if r["key"] == cut.viewer.user_id]
    return rows
