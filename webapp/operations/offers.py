"""Recording an offer's answer: the one place every path goes through (the screen, the
archive, the API), so an answer only ever moves the way the policy's `answers` transitions
allow (TEL-3, TEL-4, TEL-5); a THINK may leave a callback task behind."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tenants import Policy
from tenants.decisions.answers import may_change_answer
from tenants.policy.answers import AnswerSet
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES as versions
from webapp.models import Campaign, Interaction, Offer, Task, User, Workspace
from webapp.tenancy import scoped

from . import audit, campaigns, policies
from .offer_errors import AnswerRefused, InteractionRefused, OfferInvalid
from .unit import operation

ANSWER_SET = "offer_answer"
CALLBACK_TASK = "offer_callback"


def offer_set(policy: Policy) -> AnswerSet | None:
    """The policy's offer answers; a department that makes no offers has none."""
    return next((s for s in policy.answers.sets if s.name == ANSWER_SET), None)


def answer_codes(policy: Policy) -> list[str]:
    """The answers the policy defines for offers (YES, NO, THINK)."""
    found = offer_set(policy)
    return [v.code for v in found.values] if found else []


def allowed_moves(policy: Policy, old: str) -> list[str]:
    """Where a saved answer may still go (none from a final one)."""
    found = offer_set(policy)
    return list(found.transitions.get(old, [])) if found else []


def _refusal(old: str, new: str) -> AnswerRefused:
    return AnswerRefused(old, new, [], _l("YES is final: a saved YES cannot be changed."))


def _check_change(policy: Policy, old: str | None, new: str) -> None:
    verdict = may_change_answer(policy, ANSWER_SET, old, new)
    if verdict:
        return
    if verdict.reason == "answer_is_final":
        raise _refusal(old, new)
    raise AnswerRefused(
        old,
        new,
        allowed_moves(policy, old),
        _l("A saved answer can only change to YES; it cannot go back to NO or to THINK."),
    )


def _normalised(policy: Policy, answer: str | None) -> str:
    codes = answer_codes(policy)
    found = next((c for c in codes if c.lower() == (answer or "").strip().lower()), None)
    if found is None:
        raise OfferInvalid([("answer", _l("Choose YES, NO or THINK."))])
    return found


def _existing(interaction: Interaction, campaign: Campaign) -> Offer | None:
    workspace = db.session.get(Workspace, interaction.workspace_id)
    return db.session.scalar(
        scoped(Offer, workspace=workspace).where(
            Offer.interaction_id == interaction.id, Offer.campaign_id == campaign.id
        )
    )


def _shown_on(interaction: Interaction, policy: Policy) -> list[Campaign]:
    """The campaigns shown to the interaction's number, first the one to voice first."""
    workspace = db.session.get(Workspace, interaction.workspace_id)
    shown, _excluded = campaigns.for_number(
        workspace,
        policy,
        interaction.ctn,
        interaction.tariff,
        interaction.services,
        campaigns.local_day(workspace),
    )
    return list(shown)


def only_first_offer(policy: Policy) -> bool:
    """TEL-1: with `answers.offers.any_offer_may_be_voiced` false the agent voices only the
    first (highest-priority) offer shown; the others are there to read, not to answer."""
    display = policy.answers.offers
    return display is not None and not display.any_offer_may_be_voiced


@operation
def record_answer(
    interaction: Interaction,
    campaign: Campaign,
    answer: str,
    *,
    actor: User | None,
    late: bool = False,
) -> Offer:
    """Save the customer's answer to `campaign` on `interaction`, or change it.

    A first answer needs the campaign shown to the number and a first-line agent on an open
    interaction (TEL-1, TEL-8, TEL-9); a change must be one the policy allows (TEL-4). A late
    change from the archive (TEL-5) changes the original offer, so it counts for that
    interaction's campaign."""
    workspace = db.session.get(Workspace, interaction.workspace_id)
    policy = policies.active_policy(workspace)
    new = _normalised(policy, answer)
    offer = _existing(interaction, campaign)
    if offer is None:
        _check_first(interaction, policy, campaign, late)
        offer = Offer(
            workspace_id=interaction.workspace_id,
            interaction_id=interaction.id,
            campaign_id=campaign.id,
            ctn=interaction.ctn,
            answer=new,
            agent_id=actor.id if actor else interaction.agent_id,
            answered_at=now(),
        )
        db.session.add(offer)
        audit.record(
            workspace.id,
            "offer.answered",
            offer,
            actor=actor,
            after={"campaign": campaign.code, "answer": new, "interaction_id": interaction.id},
        )
    else:
        old = offer.answer
        _check_change(policy, old, new)
        if old == new:
            return offer
        if interaction.closed_at is not None and not _late_allowed(policy, late):
            raise InteractionRefused(
                "closed",
                _l("This interaction is closed: change the answer from the offer archive."),
            )
        offer.answer, offer.changed_at = new, now()
        offer.changed_by_id = actor.id if actor else None
        audit.record(
            workspace.id,
            "offer.answer_changed",
            offer,
            actor=actor,
            before={"answer": old},
            after={"answer": new, "late": late},
            reason="offer archive" if late else "",
        )
    _follow_up(policy, interaction, campaign, offer, actor)
    versions.bump_after_commit(workspace.id, [interaction.agent_id])
    return offer


def _late_allowed(policy: Policy, late: bool) -> bool:
    display = policy.answers.offers
    return late and (display is None or display.archive_allows_late_answer)


def _check_first(interaction: Interaction, policy: Policy, campaign: Campaign, late: bool) -> None:
    if interaction.closed_at is not None:
        raise InteractionRefused(
            "closed", _l("This interaction is closed: change the answer from the offer archive.")
        )
    if interaction.agent_line == "second":
        raise InteractionRefused("second_line", _l("Second-line agents make no offers."))
    shown = _shown_on(interaction, policy)
    if campaign not in shown:
        raise OfferInvalid([("campaign", _l("This campaign is not offered to this number."))])
    if only_first_offer(policy) and campaign != shown[0]:
        raise InteractionRefused(
            "first_offer_only",
            _l(
                "Only the first offer shown may be voiced on this call: %(name)s.",
                name=shown[0].name,
            ),
        )


def _follow_up(
    policy: Policy, interaction: Interaction, campaign: Campaign, offer: Offer, actor: User | None
) -> None:
    """The callback the policy asks for after this answer (THINK: call back in 2 days)."""
    after = policy.answers.follow_ups.get(offer.answer)
    if after is None:
        return
    task = Task(
        workspace_id=interaction.workspace_id,
        lead_id=None,
        kind=CALLBACK_TASK,
        title=f"{campaign.name}: {interaction.ctn}",
        due_at=now() + after.timedelta,
        assignee_id=offer.agent_id,
        details={
            "ctn": interaction.ctn,
            "campaign": campaign.code,
            "offer_id": offer.id,
            "interaction_id": interaction.id,
            "script": campaign.script,
        },
    )
    db.session.add(task)
    audit.record(interaction.workspace_id, "task.created", task, actor=actor, reason="offer answer")


def archive(workspace: Workspace, ctn: str, limit: int = 100) -> list[Offer]:
    """TEL-5: every offer made to this number, newest first, with its campaign and agent."""
    from sqlalchemy.orm import joinedload

    query = (
        scoped(Offer, workspace=workspace)
        .where(Offer.ctn == ctn)
        .options(joinedload(Offer.campaign), joinedload(Offer.agent), joinedload(Offer.interaction))
        .order_by(Offer.answered_at.desc(), Offer.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def latest_offer(workspace: Workspace, ctn: str, campaign: Campaign) -> Offer | None:
    """The number's most recent offer of this campaign: the one a late answer changes."""
    return db.session.scalar(
        scoped(Offer, workspace=workspace)
        .where(Offer.ctn == ctn, Offer.campaign_id == campaign.id)
        .order_by(Offer.answered_at.desc(), Offer.id.desc())
        .limit(1)
    )
