"""Offer-rate figures: missed sales, exclusions and the target share (TEL-6..TEL-9)."""

from collections.abc import Iterable
from dataclasses import dataclass

from tenants.policy import Policy
from tenants.policy.answers import OfferRate


@dataclass(frozen=True)
class Interaction:
    """One saved inbound interaction as the offer-rate report sees it."""

    offered: bool
    agent_line: str = "first_line"
    transferred_to_split: str | None = None
    offer_exception: bool = False


@dataclass(frozen=True)
class OfferRateSummary:
    """Counted interactions, offers, missed sales, the rate and whether it meets the target."""

    counted: int
    offered: int
    missed: int
    rate_percent: float | None
    target_percent: float
    meets_target: bool | None


def is_counted(rate: OfferRate, exception_counts: bool, item: Interaction) -> bool:
    """Does the interaction belong in the offer-rate figures?"""
    return not (
        item.agent_line in rate.excluded_agent_lines
        or item.transferred_to_split in rate.excluded_transfer_splits
        or (item.offer_exception and not exception_counts)
    )


def offer_rate_summary(policy: Policy, interactions: Iterable[Interaction]) -> OfferRateSummary:
    """Offer-rate figures over interactions; a policy without offer_rate uses the defaults."""
    rate = policy.answers.offer_rate or OfferRate()
    exceptions = policy.answers.exceptions
    exception_counts = bool(exceptions and exceptions.count_as_missed)
    counted = [i for i in interactions if is_counted(rate, exception_counts, i)]
    offered = sum(1 for i in counted if i.offered)
    pct = 100 * offered / len(counted) if counted else None
    meets = None if pct is None else pct >= rate.target_percent
    return OfferRateSummary(
        len(counted), offered, len(counted) - offered, pct, rate.target_percent, meets
    )
