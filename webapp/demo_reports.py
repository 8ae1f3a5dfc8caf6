"""Demo figures for the dashboards: of the contact centre's past week, two leads reserved
(with revenue and the commissions CCIMA-13's pool is paid from) and one lost with its
reason, so won revenue, conversion, lost reasons and the commission pool show something."""

from __future__ import annotations

from webapp.models import Lead, User
from webapp.operations import outcomes


def close_some(history: list[Lead], agents: list[User]) -> None:
    """Reserve the first two leads of the history and lose the third (CCIMA only)."""
    if len(history) < 3 or history[0].workspace.slug != "ccima":
        return
    for lead, revenue in zip(history[:2], ("1250000", "980000"), strict=True):
        outcomes.change_status(
            lead,
            "reserved",
            actor=_owner(lead, agents),
            revenue=revenue,
            commissions={"advisor_commission": "10000", "manager_commission": "4000"},
        )
    outcomes.change_status(
        history[2], "lost", actor=_owner(history[2], agents), reason="Sin presupuesto"
    )


def _owner(lead: Lead, agents: list[User]) -> User | None:
    return next((a for a in agents if a.id == lead.owner_id), None)
