"""Which offer campaigns a caller's number sees, in which order, and which it is an exception
for (TEL-1, TEL-9); what a saved interaction counts as in the offer-rate figures (TEL-6..8)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from tenants.policy import Policy
from tenants.policy.answers import OfferRate

from .offers import Interaction, is_counted


@dataclass(frozen=True)
class CampaignTerms:
    """What decides whether a campaign is offered to a number (the number is a target)."""

    code: str
    priority: int
    active: bool = True
    active_from: date | None = None
    active_to: date | None = None
    excluded_tariffs: frozenset[str] = field(default_factory=frozenset)
    excluded_services: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OffersForNumber:
    """The campaigns to offer in the order shown, and those the number is an exception for."""

    shown: list[CampaignTerms]
    excluded: list[CampaignTerms]


def runs_on(campaign: CampaignTerms, day: date) -> bool:
    """Active, and `day` within its period (either end may be open)."""
    if not campaign.active:
        return False
    if campaign.active_from is not None and day < campaign.active_from:
        return False
    return campaign.active_to is None or day <= campaign.active_to


def is_exception(campaign: CampaignTerms, tariff: str | None, services: Iterable[str]) -> bool:
    """TEL-9: the number's tariff plan or one of its services is excluded from the campaign."""
    if tariff and tariff in campaign.excluded_tariffs:
        return True
    return bool(campaign.excluded_services.intersection(services))


def offers_for(
    policy: Policy,
    campaigns: Iterable[CampaignTerms],
    day: date,
    tariff: str | None,
    services: Iterable[str],
) -> OffersForNumber:
    """The running campaigns targeting a number, split into shown and excluded (TEL-1, TEL-9);
    shown in priority order (1 first) when the policy orders by priority."""
    services = frozenset(services)
    running = [c for c in campaigns if runs_on(c, day)]
    display = policy.answers.offers
    if display is None or display.order_by_priority:
        running.sort(key=lambda c: (c.priority, c.code))
    exceptions = policy.answers.exceptions
    hides = exceptions is None or exceptions.hide_offer
    excluded = [c for c in running if is_exception(c, tariff, services)]
    shown = [c for c in running if not (hides and c in excluded)]
    return OffersForNumber(shown, excluded)


# What a closed interaction counts as: offered or missed (counted), or why it is outside.
# MISSED: what a counted call without an offer was recorded as before the policy named its
# code (`answers.offer_rate.missing_offer_counts_as`); the report still counts those rows.
OFFERED, MISSED = "offered", "missed"
TRANSFERRED, SECOND_LINE, EXCEPTION = "transferred", "second_line", "exception"


def missed_code(policy: Policy) -> str:
    """TEL-6: the code a counted call closed without an offer is recorded as."""
    return (policy.answers.offer_rate or OfferRate()).missing_offer_counts_as


def missed_codes(policy: Policy) -> tuple[str, ...]:
    """Every code the report counts as a missed sale: the policy's and the older fixed one."""
    return tuple(dict.fromkeys((missed_code(policy), MISSED)))


def outcome(policy: Policy, item: Interaction) -> str:
    """How the offer-rate report counts a closed interaction (TEL-6, TEL-7, TEL-8, TEL-9)."""
    rate = policy.answers.offer_rate or OfferRate()
    exceptions = policy.answers.exceptions
    exception_counts = bool(exceptions and exceptions.count_as_missed)
    if is_counted(rate, exception_counts, item):
        return OFFERED if item.offered else missed_code(policy)
    if item.agent_line in rate.excluded_agent_lines:
        return SECOND_LINE
    if item.transferred_to_split in rate.excluded_transfer_splits:
        return TRANSFERRED
    return EXCEPTION


def transfer_needs_offer_first(policy: Policy, split: str, offered: bool) -> bool:
    """TEL-2: transferring to this split (the IVR) before any offer deserves a reminder."""
    display = policy.answers.offers
    return bool(display and split in display.offer_before_transfer_to and not offered)
