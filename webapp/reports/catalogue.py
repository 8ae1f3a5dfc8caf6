"""Every metric there is: importing this module imports the modules that register metrics
(a new metric module, such as another department's, joins the import list below)."""

from __future__ import annotations

from typing import Any

from . import commissions, departments, metrics  # noqa: F401  (they register on METRICS)
from .registry import METRICS, Metric


def shown(policy: Any) -> list[Metric]:
    """The metrics the policy's `reporting.metrics` names that are registered, in its order;
    every registered metric that applies when the policy names none."""
    names = policy.reporting.metrics
    if not names:
        return [m for m in METRICS.values() if m.applies(policy)]
    return [METRICS[n] for n in names if n in METRICS]


def get(name: str) -> Metric | None:
    return METRICS.get(name)
