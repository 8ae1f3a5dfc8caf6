"""`counters` section: thresholds on counted events that raise a flag (L411-2)."""

from typing import Literal

from tenants.durations import Duration
from tenants.policy.common import Code, Count, EventName, Section


class Counter(Section):
    """Raise `flag` once `threshold` `event`s happened on the scope since the anchor."""

    name: Code
    event: EventName
    scope: Literal["account", "lead", "agent"] = "account"
    since: Literal["signup", "ever", "window"] = "signup"
    window: Duration | None = None
    threshold: Count
    flag: Code
