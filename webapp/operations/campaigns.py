"""Offer campaigns (TEL-1, TEL-9): create, change, activate or pause, targets; and which
campaigns a number sees now, read with two indexed queries whatever the size of the base."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, insert, or_, select

from tenants import Policy
from tenants.decisions.campaigns import CampaignTerms, OffersForNumber, offers_for
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Campaign, CampaignTarget, User, Workspace
from webapp.tenancy import scoped

from . import audit
from .offer_errors import OfferInvalid
from .unit import operation

CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,39}$")
NON_DIGITS = re.compile(r"[\s()+.\-]")
MAX_PRIORITY = 999
MAX_TARGETS = 200_000
FIELDS = (
    "code",
    "name",
    "description",
    "script",
    "priority",
    "active",
    "active_from",
    "active_to",
    "targets_all",
    "excluded_tariffs",
    "excluded_services",
)


def local_day(workspace: Workspace, at: datetime | None = None) -> date:
    """The workspace's calendar day at `at` (default now): campaign periods and the report."""
    return (at or now()).astimezone(ZoneInfo(workspace.time_zone or "UTC")).date()


def normalise_ctn(raw: str | None) -> str | None:
    """A CTN as ten digits (the national number), or None when it is not one: +7 916 123-45-67,
    8 (916) 123 45 67 and 9161234567 are the same number."""
    digits = NON_DIGITS.sub("", raw or "")
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    return digits if len(digits) == 10 and digits.isdigit() else None


def bad_ctn() -> Any:
    return _l("Enter the customer's number as 10 digits, e.g. 9161234567.")


def _codes(values: Iterable[str]) -> list[str]:
    return sorted({v.strip() for v in values if v and v.strip()})


def _check(values: dict[str, Any], workspace: Workspace, campaign: Campaign | None) -> None:
    errors: list[tuple[str, Any]] = []
    code = values.get("code", campaign.code if campaign else "")
    if not CODE.match(code or ""):
        errors.append(("code", _l("Use letters, digits, - and _, starting with a letter.")))
    elif campaign is None or code != campaign.code:
        taken = db.session.scalar(
            scoped(Campaign, workspace=workspace).where(Campaign.code == code).limit(1)
        )
        if taken is not None:
            errors.append(("code", _l("Another campaign already has this code.")))
    name = values.get("name", campaign.name if campaign else "")
    if not (name or "").strip() or len(name) > 200:
        errors.append(("name", _l("Give the campaign a name (at most 200 characters).")))
    priority = values.get("priority", campaign.priority if campaign else 1)
    if not isinstance(priority, int) or not 1 <= priority <= MAX_PRIORITY:
        errors.append(("priority", _l("Priority is a whole number from 1 (offered first).")))
    start = values.get("active_from", campaign.active_from if campaign else None)
    end = values.get("active_to", campaign.active_to if campaign else None)
    if start and end and end < start:
        errors.append(("active_to", _l("The period ends before it starts.")))
    if errors:
        raise OfferInvalid(errors)


def _state(campaign: Campaign) -> dict[str, Any]:
    state = {f: getattr(campaign, f) for f in FIELDS}
    for f in ("active_from", "active_to"):
        state[f] = state[f].isoformat() if state[f] else None
    return state


@operation
def create_campaign(
    workspace: Workspace,
    values: dict[str, Any],
    *,
    actor: User | None,
    targets: list[str] | None = None,
) -> Campaign:
    """A new campaign (paused unless `active`), to `targets` (None: every number), audited;
    the refusal names every bad field."""
    values = _clean(values)
    _check(values, workspace, None)
    campaign = Campaign(workspace_id=workspace.id, **{"targets_all": True, **values})
    db.session.add(campaign)
    audit.record(workspace.id, "campaign.created", campaign, actor=actor, after=_state(campaign))
    if targets is not None:
        replace_targets(campaign, targets, actor=actor)
    return campaign


@operation
def update_campaign(
    campaign: Campaign,
    values: dict[str, Any],
    *,
    actor: User | None,
    action: str = "updated",
    targets: list[str] | None = None,
) -> Campaign:
    """Change a campaign's fields (activate / pause are changes of `active`), audited."""
    values = _clean(values)
    workspace = db.session.get(Workspace, campaign.workspace_id)
    _check(values, workspace, campaign)
    before = _state(campaign)
    for name, value in values.items():
        setattr(campaign, name, value)
    audit.record(
        campaign.workspace_id,
        f"campaign.{action}",
        campaign,
        actor=actor,
        before=before,
        after=_state(campaign),
    )
    if targets is not None:
        replace_targets(campaign, targets, actor=actor)
    return campaign


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in values.items() if k in FIELDS}
    for key in ("excluded_tariffs", "excluded_services"):
        if key in cleaned:
            cleaned[key] = _codes(cleaned[key] or [])
    for key in ("name", "description", "script"):
        if key in cleaned:
            cleaned[key] = (cleaned[key] or "").strip()
    return cleaned


def parse_targets(lines: Iterable[str]) -> tuple[list[str], list[tuple[int, str]]]:
    """CTNs from a list or CSV (first column; a header row is skipped) and the bad lines."""
    good: list[str] = []
    bad: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        cell = re.split(r"[,;\t]", line.strip(), maxsplit=1)[0].strip().strip('"')
        if not cell:
            continue
        ctn = normalise_ctn(cell)
        if ctn is None:
            if number > 1 or any(ch.isdigit() for ch in cell):
                bad.append((number, cell[:40]))
            continue
        good.append(ctn)
    return list(dict.fromkeys(good)), bad


@operation
def replace_targets(campaign: Campaign, ctns: list[str], *, actor: User | None) -> int:
    """The campaign goes to exactly these numbers (an empty list: every number), audited."""
    if len(ctns) > MAX_TARGETS:
        raise OfferInvalid([("targets", _l("At most 200,000 numbers per campaign."))])
    db.session.execute(delete(CampaignTarget).where(CampaignTarget.campaign_id == campaign.id))
    rows = [
        {"workspace_id": campaign.workspace_id, "campaign_id": campaign.id, "ctn": c} for c in ctns
    ]
    if rows:
        db.session.execute(insert(CampaignTarget), rows)
    before = campaign.targets_all
    campaign.targets_all = not rows
    audit.record(
        campaign.workspace_id,
        "campaign.targets_replaced",
        campaign,
        actor=actor,
        before={"targets_all": before},
        after={"targets_all": campaign.targets_all, "targets": len(rows)},
    )
    return len(rows)


def target_count(campaign: Campaign) -> int:
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count(CampaignTarget.id)).where(CampaignTarget.campaign_id == campaign.id)
    )


def terms(campaign: Campaign) -> CampaignTerms:
    return CampaignTerms(
        code=campaign.code,
        priority=campaign.priority,
        active=campaign.active,
        active_from=campaign.active_from,
        active_to=campaign.active_to,
        excluded_tariffs=frozenset(campaign.excluded_tariffs or ()),
        excluded_services=frozenset(campaign.excluded_services or ()),
    )


def targeting(workspace: Workspace, ctn: str) -> list[Campaign]:
    """The active campaigns that go to this number: to every number, or listing it."""
    listed = exists().where(
        CampaignTarget.campaign_id == Campaign.id,  # a campaign of the workspace, below
        CampaignTarget.ctn == ctn,
    )
    query = scoped(Campaign, workspace=workspace).where(
        Campaign.active.is_(True), or_(Campaign.targets_all.is_(True), listed)
    )
    return list(db.session.scalars(query))


def for_number(
    workspace: Workspace,
    policy: Policy,
    ctn: str,
    tariff: str | None,
    services: Iterable[str],
    day: date,
) -> tuple[list[Campaign], list[Campaign]]:
    """(shown in order, excluded) campaigns for a number today (TEL-1, TEL-9)."""
    found = {c.code: c for c in targeting(workspace, ctn)}
    decided: OffersForNumber = offers_for(
        policy, [terms(c) for c in found.values()], day, tariff, services
    )
    return [found[t.code] for t in decided.shown], [found[t.code] for t in decided.excluded]


def by_code(workspace: Workspace, code: str) -> Campaign | None:
    return db.session.scalar(scoped(Campaign, workspace=workspace).where(Campaign.code == code))
