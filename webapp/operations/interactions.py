"""Interactions: a call opened (by the agent or the telephony system), transferred, closed
with what it counts as in the offer-rate figures (TEL-2, TEL-6..TEL-9); exceptions reported
once per number and campaign (TEL-9)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tenants import Policy
from tenants.decisions.campaigns import missed_code, outcome, transfer_needs_offer_first
from tenants.decisions.offers import Interaction as Facts
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES as versions
from webapp.models import (
    Campaign,
    Customer,
    Interaction,
    Membership,
    OfferException,
    Role,
    User,
    Workspace,
)
from webapp.tenancy import scoped

from . import audit, campaigns, notifications, policies, recipients
from .offer_errors import InteractionRefused, OfferInvalid
from .unit import operation

EXCEPTION_EVENT = "offer.exception_found"
EXCEPTION_TEMPLATE = "offer_exception_ctn"
MAX_SERVICES = 50
# Workspace roles a policy may name beside the exceptions contact.
WORKSPACE_ROLES = {"manager": Role.MANAGER, "director": Role.DIRECTOR, "administrator": Role.ADMIN}


def agent_line(workspace: Workspace, user: User | None) -> str:
    """The member's line (first / second, TEL-8); someone not on a line counts as first."""
    if user is None:
        return "first"
    line = db.session.scalar(
        scoped(Membership, workspace=workspace)
        .where(Membership.user_id == user.id)
        .with_only_columns(Membership.line)
    )
    return line or "first"


def customer(workspace: Workspace, ctn: str) -> Customer | None:
    return db.session.scalar(scoped(Customer, workspace=workspace).where(Customer.ctn == ctn))


def transfer_splits(policy: Policy) -> list[str]:
    """Where a call may be transferred: the IVR and the splits the policy names."""
    display = policy.answers.offers
    rate = policy.answers.offer_rate
    named = [
        *(display.offer_before_transfer_to if display else []),
        *(rate.excluded_transfer_splits if rate else []),
    ]
    return list(dict.fromkeys(named))


@operation
def open_interaction(
    workspace: Workspace,
    ctn: str,
    *,
    agent: User | None,
    actor: User | None,
    tariff: str | None = None,
    services: list[str] | None = None,
    via: str = "screen",
) -> Interaction:
    """A call from `ctn` taken by `agent`: its tariff and services as given, else from the
    customer base; the excluded campaigns are reported (TEL-9); the agent's screen is told."""
    number = campaigns.normalise_ctn(ctn)
    if number is None:
        raise OfferInvalid([("ctn", campaigns.bad_ctn())])
    known = customer(workspace, number)
    if tariff is None and known is not None:
        tariff = known.tariff
    if services is None:
        services = list(known.services) if known is not None else []
    interaction = Interaction(
        workspace_id=workspace.id,
        ctn=number,
        agent_id=agent.id if agent else None,
        agent_line=agent_line(workspace, agent),
        tariff=(tariff or None),
        services=sorted(set(services))[:MAX_SERVICES],
        opened_on=campaigns.local_day(workspace),
        steps=[],
        via=via,
    )
    db.session.add(interaction)
    audit.record(
        workspace.id,
        "interaction.opened",
        interaction,
        actor=actor,
        after={"ctn": number, "via": via},
    )
    policy = policies.active_policy(workspace)
    _shown, excluded = campaigns.for_number(
        workspace, policy, number, interaction.tariff, interaction.services, interaction.opened_on
    )
    for campaign in excluded:
        report_exception(workspace, policy, interaction, campaign)
    versions.bump_after_commit(workspace.id, [interaction.agent_id])
    return interaction


def _exceptions_contacts(workspace: Workspace, policy: Policy, roles: list[str]) -> list[User]:
    """TEL-9's responsible person (the member the policy names), and any workspace roles."""
    people: dict[int, User] = {}
    rule = policy.answers.exceptions
    for role in roles:
        if role == "exceptions_contact" and rule is not None and rule.contact_email:
            members = scoped(Membership, workspace=workspace).with_only_columns(Membership.user_id)
            found = db.session.scalar(
                select(User).where(User.id.in_(members), User.email == rule.contact_email.lower())
            )
            if found is not None:
                people.setdefault(found.id, found)
        elif role in WORKSPACE_ROLES:
            for user in recipients.members(workspace.id, WORKSPACE_ROLES[role]):
                people.setdefault(user.id, user)
    return list(people.values())


def report_exception(
    workspace: Workspace, policy: Policy, interaction: Interaction, campaign: Campaign
) -> OfferException | None:
    """Tell the responsible person of this number once per campaign (TEL-9)."""
    already = db.session.scalar(
        scoped(OfferException, workspace=workspace).where(
            OfferException.ctn == interaction.ctn, OfferException.campaign_id == campaign.id
        )
    )
    if already is not None:
        return None
    db.session.flush()
    row = OfferException(
        workspace_id=workspace.id,
        ctn=interaction.ctn,
        campaign_id=campaign.id,
        interaction_id=interaction.id,
        reported_at=now(),
    )
    db.session.add(row)
    audit.record(
        workspace.id,
        "offer.exception_reported",
        row,
        actor=None,
        after={"ctn": row.ctn, "campaign": campaign.code},
    )
    payload = {
        "ctn": interaction.ctn,
        "campaign": campaign.name,
        "tariff": interaction.tariff or "-",
        "services": ", ".join(interaction.services or []) or "-",
    }
    for roles, channels, template in exception_reports(policy):
        notifications.queue_for(
            workspace.id,
            _exceptions_contacts(workspace, policy, roles),
            channels,
            template,
            payload,
            key=lambda person, channel: f"offer-exception:{row.id}:{person.id}:{channel}",
        )
    return row


def exception_reports(policy: Policy) -> list[tuple[list[str], list[str], str]]:
    """(who, channels, template) of each report of an exception (TEL-9). The policy's
    `answers.exceptions.report_to` names who hears; the `offer.exception_found` notification
    rules say how (channels, template), else the workspace's default channels and the
    standard template. Without an exceptions section the rules alone decide."""
    rules = [r for r in policy.notifications.rules if r.event == EXCEPTION_EVENT]
    found = policy.answers.exceptions
    if found is None:
        return [(list(r.roles), list(r.channels), r.template) for r in rules]
    who = list(found.report_to)
    if not rules:
        return [(who, list(policy.notifications.default_channels), EXCEPTION_TEMPLATE)]
    return [(who, list(r.channels), r.template) for r in rules]


def _open(interaction: Interaction) -> None:
    if interaction.closed_at is not None:
        raise InteractionRefused("closed", _l("This interaction is already closed."))


@operation
def transfer(
    interaction: Interaction, split: str, *, actor: User | None, confirmed: bool = False
) -> Interaction:
    """A transfer step (to the IVR or another split); TEL-2: before any offer, only once the
    agent confirms the reminder."""
    _open(interaction)
    workspace = db.session.get(Workspace, interaction.workspace_id)
    policy = policies.active_policy(workspace)
    if split not in transfer_splits(policy):
        raise OfferInvalid([("split", _l("Choose where the call is transferred."))])
    offered = bool(interaction.offers)
    if (
        not confirmed
        and interaction.agent_line != "second"
        and transfer_needs_offer_first(policy, split, offered)
        and _has_offers(workspace, policy, interaction)
    ):
        raise InteractionRefused(
            "offer_first", _l("Make an offer before transferring the call to the IVR.")
        )
    interaction.steps = [
        *interaction.steps,
        {"kind": "transfer", "split": split, "at": now().isoformat()},
    ]
    interaction.transferred_to = split
    audit.record(
        workspace.id, "interaction.transferred", interaction, actor=actor, after={"split": split}
    )
    return interaction


def _has_offers(workspace: Workspace, policy: Policy, interaction: Interaction) -> bool:
    shown, _ = campaigns.for_number(
        workspace,
        policy,
        interaction.ctn,
        interaction.tariff,
        interaction.services,
        interaction.opened_on,
    )
    return bool(shown)


def counts_as(workspace: Workspace, policy: Policy, interaction: Interaction) -> str:
    """What the closed interaction counts as (TEL-6..TEL-9)."""
    shown, excluded = campaigns.for_number(
        workspace,
        policy,
        interaction.ctn,
        interaction.tariff,
        interaction.services,
        interaction.opened_on,
    )
    facts = Facts(
        offered=bool(interaction.offers),
        agent_line=f"{interaction.agent_line}_line",
        transferred_to_split=interaction.transferred_to,
        offer_exception=bool(excluded) and not shown,
    )
    return outcome(policy, facts)


@operation
def close(interaction: Interaction, *, actor: User | None) -> Interaction:
    """Save and close: a missed sale when no offer was made and nothing puts it outside the
    figures (TEL-6)."""
    _open(interaction)
    workspace = db.session.get(Workspace, interaction.workspace_id)
    policy = policies.active_policy(workspace)
    interaction.outcome = counts_as(workspace, policy, interaction)
    interaction.missed_sale = interaction.outcome == missed_code(policy)  # TEL-6
    interaction.closed_at = now()
    audit.record(
        workspace.id,
        "interaction.closed",
        interaction,
        actor=actor,
        after={"outcome": interaction.outcome, "missed_sale": interaction.missed_sale},
    )
    versions.bump_after_commit(workspace.id, [interaction.agent_id])
    return interaction
