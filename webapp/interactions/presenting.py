"""What the interaction screen (and the API) shows of a call: the offers for the number in
order, the excluded ones, the number's archive and its accruals."""

from __future__ import annotations

from dataclasses import dataclass

from tenants import Policy
from webapp.extensions import db
from webapp.models import Accrual, Campaign, Interaction, Offer, Workspace
from webapp.operations import campaigns, offers, policies
from webapp.tenancy import scoped


@dataclass(frozen=True)
class Screen:
    policy: Policy
    shown: list[Campaign]
    excluded: list[Campaign]
    answers: dict[int, Offer]  # campaign id → this interaction's offer
    archive: list[Offer]
    accruals: list[Accrual]


def screen(workspace: Workspace, interaction: Interaction) -> Screen:
    policy = policies.active_policy(workspace)
    shown, excluded = campaigns.for_number(
        workspace,
        policy,
        interaction.ctn,
        interaction.tariff,
        interaction.services,
        interaction.opened_on,
    )
    answers = {o.campaign_id: o for o in interaction.offers}
    accrual_rows = db.session.scalars(
        scoped(Accrual, workspace=workspace)
        .where(Accrual.ctn == interaction.ctn)
        .order_by(Accrual.created_at.desc())
        .limit(50)
    ).all()
    return Screen(
        policy,
        shown,
        excluded,
        answers,
        offers.archive(workspace, interaction.ctn),
        list(accrual_rows),
    )


def newest_incoming(workspace: Workspace, agent_id: int, after_id: int) -> int | None:
    """The agent's newest open interaction from the telephony system after `after_id`."""
    return db.session.scalar(
        scoped(Interaction, workspace=workspace)
        .where(
            Interaction.agent_id == agent_id,
            Interaction.closed_at.is_(None),
            Interaction.via == "telephony",
            Interaction.id > after_id,
        )
        .with_only_columns(Interaction.id)
        .order_by(Interaction.id.desc())
        .limit(1)
    )


def answer_label(policy: Policy, code: str, locale: str) -> str:
    from tenants.policy.common import label_for

    found = offers.offer_set(policy)
    values = {v.code: v for v in found.values} if found else {}
    return label_for(values[code].labels, locale) if code in values else code
