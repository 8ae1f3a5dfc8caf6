"""The departments' own figures, as registered metrics: 411's CPT and AE figures (L411-11,
L411-12), the contact centre's reservations and top-rated prospects (CCIMA-8, CCIMA-12) and
the BDC's rounds and lost files (BDC-5, BDC-6). Each reads what the policy says a thing is
(the outcomes that count as a behaviour issue, the rating scale, the cadence's lost status),
never a code spelled here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, case, cast, distinct, func

from tenants import Policy
from tenants.policy.cadences import DailyRounds
from webapp.models import Activity, Lead, LeadStatusMove, Task, TaskState
from webapp.operations.activities import NOT_CONTACT
from webapp.operations.cadences import ROUND_TASK

from .cut import Cut
from .metrics import _status_moves, _status_of_move
from .registry import COUNT, LEAD_DIMENSIONS, MONEY, SHARE, Column, Row, metric

# Whom the 411 figures are per: the CPT agent who logged the outcome or made the referral,
# and the AE member who holds the referral (L411-12).
PER_CPT_AND_AE = ("cpt_agent", "ae_agent", "agent", "team", "source", "day", "week", "month")


def counted_as(policy: Policy, counter: str) -> list[str]:
    """The outcome codes whose effects count as `counter` (e.g. behaviour_issue, transfer)."""
    return [
        o.code
        for o in policy.outcomes.codes
        if any(getattr(e, "counter", None) == counter for e in o.effects)
    ] or [""]


def _outcomes_counted(cut: Cut, counter: str):
    key = cut.key(Activity.occurred_at, agent=Activity.user_id, cpt_agent=Activity.user_id)
    query = (
        cut.leads()
        .with_only_columns(key, func.count(Activity.id).label("value"))
        .join(Activity, Activity.lead_id == Lead.id)
        .where(
            Activity.outcome_code.in_(counted_as(cut.policy, counter)),
            cut.during(Activity.occurred_at),
        )
    )
    return cut.group(query)


@metric("behaviour_issues", _l("Behaviour issues"), dimensions=PER_CPT_AND_AE)
def behaviour_issues(cut: Cut):
    """Outcomes that count as a behaviour issue ("No - Did not offer"), per agent (L411-11)."""
    return _outcomes_counted(cut, "behaviour_issue")


@metric("transfers", _l("Transfers to AE"), dimensions=PER_CPT_AND_AE)
def transfers(cut: Cut):
    """Outcomes that count as a transfer, per CPT agent (L411-12)."""
    return _outcomes_counted(cut, "transfer")


def _cpt_agent():
    return Lead.attributes["cpt_agent"].as_integer()


@metric("referrals_generated", _l("Referrals generated"), dimensions=PER_CPT_AND_AE)
def referrals_generated(cut: Cut):
    """Referral leads made in the period, per CPT agent who referred and AE member (L411-12)."""
    key = cut.key(Lead.created_at, cpt_agent=_cpt_agent(), ae_agent=Lead.owner_id)
    query = cut.leads().with_only_columns(key, func.count(Lead.id).label("value"))
    return cut.group(
        query.where(cut.during(Lead.created_at), Lead.attributes["referred_from"].as_string() != "")
    )


def _won_moves(cut: Cut, *columns):
    key = cut.key(LeadStatusMove.moved_at, cpt_agent=_cpt_agent(), ae_agent=Lead.owner_id)
    won = sorted(cut.policy.intake.won_codes) or [""]
    return cut.group(_status_moves(cut, *columns, key=key).where(_status_of_move().in_(won)))


@metric("deals_closed", _l("Deals closed"), dimensions=PER_CPT_AND_AE)
def deals_closed(cut: Cut):
    """Leads moved to a won status in the period (L411-12; CCIMA-8's reservations)."""
    return _won_moves(cut, func.count(distinct(LeadStatusMove.lead_id)).label("value"))


@metric("upsell_revenue", _l("Upsell revenue"), unit=MONEY, dimensions=PER_CPT_AND_AE)
def upsell_revenue(cut: Cut):
    """The revenue recorded on the won moves of the period (L411-12)."""
    amount = func.coalesce(func.sum(LeadStatusMove.revenue), 0)
    return _won_moves(cut, amount.label("value"))


@metric("reservations", _l("Reservations"), dimensions=LEAD_DIMENSIONS)
def reservations(cut: Cut):
    """Reservations (apartados) made in the period: moves to a won status (CCIMA-8)."""
    return _won_moves(cut, func.count(distinct(LeadStatusMove.lead_id)).label("value"))


def _top_ratings(policy: Policy) -> list[str]:
    """The best two ratings of the scale (AAA and AA for the contact centre, CCIMA-12)."""
    return policy.intake.rating_scale[:2] or [""]


def _top_finish(row: Row) -> Row:
    received = row["received"] or 0
    return {**row, "share": (row["top_rated"] or 0) / received if received else None}


@metric(
    "top_rated_share",
    _l("Share of top-rated prospects"),
    (
        Column("received", _l("Leads received"), COUNT),
        Column("top_rated", _l("Top-rated prospects"), COUNT),
        Column("share", _l("Share"), SHARE),
    ),
    finish=_top_finish,
    applies=lambda policy: bool(policy.intake.rating_scale),
    headline=("share",),
)
def top_rated_share(cut: Cut):
    """Of the period's leads, the share rated in the scale's best two (CCIMA-12), per source."""
    key = cut.key(Lead.created_at)
    top = func.sum(case((Lead.rating.in_(_top_ratings(cut.policy)), 1), else_=0))
    query = cut.leads().with_only_columns(
        key, func.count(Lead.id).label("received"), top.label("top_rated")
    )
    return cut.group(query.where(cut.during(Lead.created_at)))


@metric(
    "aaa_prospects_count",
    _l("Top-rated prospects"),
    applies=lambda policy: bool(policy.intake.rating_scale),
)
def aaa_prospects_count(cut: Cut):
    """Leads of the period with the scale's best rating (CCIMA-8)."""
    best = cut.policy.intake.rating_scale[:1] or [""]
    key = cut.key(Lead.created_at)
    query = cut.leads().with_only_columns(key, func.count(Lead.id).label("value"))
    return cut.group(query.where(cut.during(Lead.created_at), Lead.rating.in_(best)))


def _has_rounds(policy: Policy) -> bool:
    return any(isinstance(c, DailyRounds) for c in policy.cadences)


@metric(
    "customers_reached",
    _l("Customers reached"),
    applies=_has_rounds,
)
def customers_reached(cut: Cut):
    """Distinct customers with a logged contact, per day by default (BDC-5)."""
    key = cut.key(Activity.occurred_at, agent=Activity.user_id)
    query = (
        cut.leads()
        .with_only_columns(key, func.count(distinct(Lead.id)).label("value"))
        .join(Activity, Activity.lead_id == Lead.id)
        .where(Activity.channel.not_in(NOT_CONTACT), cut.during(Activity.occurred_at))
    )
    return cut.group(query)


def _rounds_finish(row: Row) -> Row:
    due = row["due"] or 0
    return {**row, "done_share": (row["done"] or 0) / due if due else None}


@metric(
    "contact_rounds_done",
    _l("Contact rounds done"),
    (
        Column("due", _l("Rounds due"), COUNT),
        Column("done", _l("Rounds done"), COUNT),
        Column("done_share", _l("Done"), SHARE),
    ),
    finish=_rounds_finish,
    applies=_has_rounds,
    headline=("done", "due"),
)
def contact_rounds_done(cut: Cut):
    """Round tasks due in the period and how many were worked (BDC-5)."""
    key = cut.key(Task.due_at, agent=Task.assignee_id)
    done = func.sum(cast(Task.state == TaskState.DONE, Integer))
    query = (
        cut.leads()
        .with_only_columns(key, func.count(Task.id).label("due"), done.label("done"))
        .join(Task, Task.lead_id == Lead.id)
        .where(Task.kind == ROUND_TASK, cut.during(Task.due_at))
    )
    return cut.group(query)


@metric("files_lost", _l("Files lost after the cadence"), applies=_has_rounds)
def files_lost(cut: Cut):
    """Files moved to a cadence's lost status in the period (BDC-6)."""
    statuses = [c.lost_status for c in cut.policy.cadences if isinstance(c, DailyRounds)]
    key = cut.key(LeadStatusMove.moved_at)
    moved = func.count(distinct(LeadStatusMove.lead_id)).label("value")
    query = _status_moves(cut, moved, key=key)
    return cut.group(query.where(_status_of_move().in_([s for s in statuses if s] or [""])))
