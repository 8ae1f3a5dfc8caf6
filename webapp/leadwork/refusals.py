"""An outcome refused by the policy (L411-4, L411-5), worded for the reader: page and API."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from webapp.operations.outcome_checks import OutcomeRefused
from webapp.policy.labels import PolicyLabels


def refusal_message(refused: OutcomeRefused, labels: PolicyLabels) -> str:
    """Why the outcome was not recorded, and what to record instead where the policy says."""
    if refused.answered:
        return _(
            "This callback already ended with %(outcome)s (%(when)s): a callback has exactly"
            " one outcome.",
            outcome=labels.outcome(refused.answered.code),
            when=format_datetime(refused.answered.at, "short"),
        )
    reasons = "; ".join(labels.gate_reason(g.gate) for g in refused.gates)
    instead = list(dict.fromkeys(labels.outcome(g.outcome) for g in refused.gates if g.outcome))
    if instead:
        return _(
            "%(outcome)s is an offer, and the account may not be offered now: %(reasons)s."
            " Record why no offer was made instead: %(instead)s.",
            outcome=labels.outcome(refused.code),
            reasons=reasons,
            instead=", ".join(instead),
        )
    return _(
        "%(outcome)s is an offer, and the account may not be offered now: %(reasons)s.",
        outcome=labels.outcome(refused.code),
        reasons=reasons,
    )
