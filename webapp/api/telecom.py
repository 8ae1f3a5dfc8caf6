"""Telecom inbound-call offers over the API (TEL-1..10): campaigns, interactions opened by the
telephony system, answers (409 for a move TEL-4 forbids), transfers, the archive, accruals
and the offer-rate report."""

from __future__ import annotations

from flask import g, jsonify
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.interactions import presenting, report
from webapp.models import Campaign, Interaction, Membership, User
from webapp.operations import accruals, campaigns, interactions, offers, policies
from webapp.operations.offer_errors import AnswerRefused, InteractionRefused, OfferInvalid
from webapp.tenancy import get_or_404, scoped

from .blueprint import ApiError, body, check_id, endpoint, query, respond
from .telecom_schemas import (
    AccrualIn,
    AccrualOut,
    AnswerIn,
    AnswerOut,
    ArchiveEntry,
    ArchiveOut,
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignPatch,
    Exceptions,
    InteractionIn,
    InteractionOut,
    OfferRateOut,
    OfferRateQuery,
    OfferShown,
    RateRow,
    TransferIn,
)

ERRORS = (400, 401, 403, 404, 409, 422, 429)
TAGS = ("telecom",)


def _invalid(error: OfferInvalid) -> ApiError:
    return ApiError(422, "invalid input; nothing was stored", error.errors)


def campaign_out(c: Campaign) -> CampaignOut:
    return CampaignOut(
        code=c.code,
        name=c.name,
        priority=c.priority,
        description=c.description,
        script=c.script,
        active=c.active,
        active_from=c.active_from,
        active_to=c.active_to,
        targets="all" if c.targets_all else campaigns.target_count(c),
        exceptions=Exceptions(tariffs=c.excluded_tariffs or [], services=c.excluded_services or []),
    )


def _values(data: CampaignIn | CampaignPatch) -> dict:
    values = data.model_dump(exclude_unset=True, exclude={"targets", "exceptions"})
    if data.exceptions is not None and "exceptions" in data.model_fields_set:
        values["excluded_tariffs"] = data.exceptions.tariffs
        values["excluded_services"] = data.exceptions.services
    return values


def _targets(targets: list[str] | None) -> list[str] | None:
    """The CTNs of `targets` (None: every number); 422 naming each bad one."""
    if targets is None:
        return None
    good, bad = campaigns.parse_targets(targets)
    if bad:
        raise ApiError(
            422,
            "invalid input; nothing was stored",
            [(f"targets.{n - 1}", "not a 10-digit number") for n, _ in bad],
        )
    return good


@endpoint(
    "POST",
    "/campaigns",
    summary="Create an offer campaign",
    body=CampaignIn,
    responses={201: CampaignOut},
    errors=ERRORS,
    role="manager",
    tags=TAGS,
)
def create_campaign() -> Response:
    """A campaign with its priority (1 first), period, targets and exceptions (TEL-1, TEL-9)."""
    data = body(CampaignIn)
    targets = _targets(data.targets)
    try:
        campaign = campaigns.create_campaign(
            g.workspace, _values(data), actor=None, targets=targets
        )
    except OfferInvalid as error:
        db.session.rollback()
        raise _invalid(error) from None
    return respond(campaign_out(campaign), 201)


@endpoint(
    "GET",
    "/campaigns",
    summary="List offer campaigns",
    responses={200: CampaignList},
    errors=(401, 429),
    role="agent",
    tags=TAGS,
)
def list_campaigns() -> Response:
    """Every campaign of the workspace, highest priority first."""
    rows = db.session.scalars(scoped(Campaign).order_by(Campaign.priority, Campaign.code))
    return respond(CampaignList(campaigns=[campaign_out(c) for c in rows]))


def _campaign(code: str) -> Campaign:
    found = campaigns.by_code(g.workspace, code)
    if found is None:
        raise ApiError(404, "no such campaign")
    return found


@endpoint(
    "PATCH",
    "/campaigns/<code>",
    summary="Change an offer campaign",
    body=CampaignPatch,
    responses={200: CampaignOut},
    errors=ERRORS,
    role="manager",
    tags=TAGS,
)
def patch_campaign(code: str) -> Response:
    """Change fields, activate or pause (`active`), replace the targets (audited)."""
    campaign = _campaign(code)
    data = body(CampaignPatch)
    targets = _targets(data.targets) if "targets" in data.model_fields_set else None
    try:
        campaigns.update_campaign(campaign, _values(data), actor=None, targets=targets)
    except OfferInvalid as error:
        db.session.rollback()
        raise _invalid(error) from None
    return respond(campaign_out(campaign))


def _agent(agent_id: int | None) -> User | None:
    if agent_id is None:
        return None
    found = db.session.scalar(
        scoped(Membership)
        .where(Membership.user_id == agent_id)
        .with_only_columns(Membership.user_id)
    )
    if found is None:
        raise ApiError(422, "invalid input", [("agent", "not a member of this workspace")])
    return db.session.get(User, agent_id)


def interaction_out(interaction: Interaction) -> InteractionOut:
    view = presenting.screen(g.workspace, interaction)
    return InteractionOut(
        id=interaction.id,
        ctn=interaction.ctn,
        agent_line=interaction.agent_line,
        tariff=interaction.tariff,
        services=interaction.services or [],
        offers=[
            OfferShown(campaign=c.code, name=c.name, priority=c.priority, script=c.script)
            for c in view.shown
        ],
        answers={o.campaign.code: o.answer for o in interaction.offers},
        archive=[_entry(view.policy, o) for o in view.archive],
        transferred_to=interaction.transferred_to,
        closed_at=interaction.closed_at,
        outcome=interaction.outcome,
        missed_sale=interaction.missed_sale,
    )


def _entry(policy, offer) -> ArchiveEntry:
    return ArchiveEntry(
        id=offer.id,
        interaction_id=offer.interaction_id,
        campaign=offer.campaign.code,
        name=offer.campaign.name,
        answer=offer.answer,
        answered_at=offer.answered_at,
        agent=offer.agent.name if offer.agent else None,
        changed_at=offer.changed_at,
        allowed=offers.allowed_moves(policy, offer.answer),
    )


@endpoint(
    "POST",
    "/interactions",
    summary="Open an interaction (an inbound call)",
    body=InteractionIn,
    responses={201: InteractionOut},
    errors=ERRORS,
    role="agent",
    tags=TAGS,
)
def open_interaction() -> Response:
    """From the telephony system: the call opens on the agent's screen (live); the answer
    lists the offers for the number in priority order, the excluded ones left out (TEL-1,
    TEL-9), and the number's archive (TEL-5)."""
    data = body(InteractionIn)
    agent = _agent(data.agent)
    try:
        interaction = interactions.open_interaction(
            g.workspace,
            data.ctn,
            agent=agent,
            actor=None,
            tariff=data.tariff,
            services=data.services,
            via="telephony",
        )
    except OfferInvalid as error:
        db.session.rollback()
        raise _invalid(error) from None
    return respond(interaction_out(interaction), 201)


def _interaction(interaction_id: int) -> Interaction:
    return get_or_404(Interaction, check_id(interaction_id))


def _answer(interaction: Interaction, data: AnswerIn, late: bool) -> Response:
    campaign = campaigns.by_code(g.workspace, data.campaign)
    if campaign is None:
        raise ApiError(422, "invalid input", [("campaign", "no campaign with this code")])
    existed = any(o.campaign_id == campaign.id for o in interaction.offers)
    try:
        offer = offers.record_answer(interaction, campaign, data.answer, actor=None, late=late)
    except OfferInvalid as error:
        db.session.rollback()
        raise _invalid(error) from None
    except AnswerRefused as refused:
        db.session.rollback()
        return _conflict(refused)
    except InteractionRefused as refused:
        db.session.rollback()
        raise ApiError(409, refused.message) from None
    policy = policies.active_policy(g.workspace)
    out = AnswerOut(
        id=offer.id,
        interaction_id=interaction.id,
        campaign=campaign.code,
        answer=offer.answer,
        allowed=offers.allowed_moves(policy, offer.answer),
    )
    return respond(out, 200 if existed else 201)


def _conflict(refused: AnswerRefused) -> Response:
    """409 naming the answer and the moves still allowed from the saved one (TEL-4)."""
    allowed = ", ".join(refused.allowed) or "none"
    message = f"{refused.message} (saved: {refused.old}; allowed moves: {allowed})"
    response = jsonify(
        {
            "error": {
                "code": "conflict",
                "message": message,
                "fields": [{"path": "answer", "message": message}],
                "saved": refused.old,
                "allowed": refused.allowed,
            }
        }
    )
    response.status_code = 409
    return response


@endpoint(
    "POST",
    "/interactions/<int:interaction_id>/answers",
    summary="Record an offer's answer",
    body=AnswerIn,
    responses={200: AnswerOut, 201: AnswerOut},
    errors=ERRORS,
    role="agent",
    tags=TAGS,
)
def record_answer(interaction_id: int) -> Response:
    """YES / NO / THINK for a campaign shown on the interaction (201 first, 200 a change);
    409 with the allowed moves for a change TEL-4 forbids (YES is final, NO and THINK only
    become YES)."""
    interaction = _interaction(interaction_id)
    return _answer(interaction, body(AnswerIn), late=False)


@endpoint(
    "POST",
    "/interactions/<int:interaction_id>/transfer",
    summary="Transfer the call",
    body=TransferIn,
    responses={200: InteractionOut},
    errors=ERRORS,
    role="agent",
    tags=TAGS,
)
def transfer(interaction_id: int) -> Response:
    """A transfer step to the IVR or another split; 409 before any offer unless `confirm`
    (TEL-2); a split the policy puts outside the figures keeps it out (TEL-7)."""
    interaction = _interaction(interaction_id)
    data = body(TransferIn)
    try:
        interactions.transfer(interaction, data.split, actor=None, confirmed=data.confirm)
    except OfferInvalid as error:
        db.session.rollback()
        raise _invalid(error) from None
    except InteractionRefused as refused:
        db.session.rollback()
        raise ApiError(409, refused.message) from None
    return respond(interaction_out(interaction))


@endpoint(
    "POST",
    "/interactions/<int:interaction_id>/close",
    summary="Save and close",
    responses={200: InteractionOut},
    errors=ERRORS,
    role="agent",
    tags=TAGS,
)
def close(interaction_id: int) -> Response:
    """Close the interaction: `outcome` says how the offer rate counts it (a missed sale
    without an offer, TEL-6..TEL-9); 409 when it is closed already."""
    interaction = _interaction(interaction_id)
    try:
        interactions.close(interaction, actor=None)
    except InteractionRefused as refused:
        db.session.rollback()
        raise ApiError(409, refused.message) from None
    return respond(interaction_out(interaction))


def _ctn(raw: str) -> str:
    ctn = campaigns.normalise_ctn(raw)
    if ctn is None:
        raise ApiError(404, "not a customer's number")
    return ctn


@endpoint(
    "GET",
    "/customers/<ctn>/offers",
    summary="A number's offer archive",
    responses={200: ArchiveOut},
    errors=(401, 404, 429),
    role="agent",
    tags=TAGS,
)
def archive(ctn: str) -> Response:
    """Every offer made to the number, newest first, with the moves its answer may still make
    (TEL-5)."""
    number = _ctn(ctn)
    policy = policies.active_policy(g.workspace)
    rows = offers.archive(g.workspace, number)
    return respond(ArchiveOut(ctn=number, offers=[_entry(policy, o) for o in rows]))


@endpoint(
    "POST",
    "/customers/<ctn>/offers",
    summary="A late answer from the archive",
    body=AnswerIn,
    responses={200: AnswerOut},
    errors=ERRORS,
    role="agent",
    tags=TAGS,
)
def late_answer(ctn: str) -> Response:
    """Change the number's latest offer of the campaign (TEL-5: a late YES counts for that
    interaction's campaign); 409 for a move TEL-4 forbids."""
    number = _ctn(ctn)
    data = body(AnswerIn)
    campaign = campaigns.by_code(g.workspace, data.campaign)
    offer = offers.latest_offer(g.workspace, number, campaign) if campaign else None
    if offer is None:
        raise ApiError(
            422,
            "invalid input",
            [("campaign", "no offer of this campaign was made to this number")],
        )
    return _answer(offer.interaction, data, late=True)


@endpoint(
    "POST",
    "/interactions/<int:interaction_id>/accruals",
    summary="Accrue a discount, compensation or fee credit",
    body=AccrualIn,
    responses={201: AccrualOut},
    errors=ERRORS,
    role="agent",
    tags=TAGS,
)
def add_accrual(interaction_id: int) -> Response:
    """TEL-10: with the customer's consent (required), a category of the policy, a short
    subject and a detailed comment; audited."""
    interaction = _interaction(interaction_id)
    data = body(AccrualIn)
    campaign = campaigns.by_code(g.workspace, data.campaign) if data.campaign else None
    if data.campaign and campaign is None:
        raise ApiError(422, "invalid input", [("campaign", "no campaign with this code")])
    try:
        accrual = accruals.add_accrual(
            interaction, data.model_dump(exclude={"campaign"}), campaign=campaign, actor=None
        )
    except OfferInvalid as error:
        db.session.rollback()
        raise _invalid(error) from None
    return respond(
        AccrualOut(
            id=accrual.id,
            interaction_id=interaction.id,
            ctn=accrual.ctn,
            kind=accrual.kind,
            category=accrual.category,
            amount=accrual.amount,
            subject=accrual.subject,
            comment=accrual.comment,
            campaign=campaign.code if campaign else None,
            created_at=accrual.created_at,
        ),
        201,
    )


def _row(f: report.Figures) -> RateRow:
    return RateRow(
        key=f.key,
        counted=f.counted,
        offered=f.offered,
        missed=f.missed,
        excluded=f.excluded,
        rate=f.rate,
        yes=f.yes,
        no=f.no,
        think=f.think,
        conversion=f.conversion,
    )


@endpoint(
    "GET",
    "/reports/offer-rate",
    summary="The offer-rate report",
    query=OfferRateQuery,
    responses={200: OfferRateOut},
    errors=(401, 403, 422, 429),
    role="manager",
    tags=TAGS,
)
def offer_rate() -> Response:
    """For a period (default the past week and today), per agent, team or campaign: counted,
    offered, missed, excluded (transferred, second line, exceptions), the rate against the policy's
    target, YES / NO / THINK and conversion (TEL-6..TEL-9)."""
    args = query(OfferRateQuery)
    today = campaigns.local_day(g.workspace)
    default = report.Period.last_days(today)
    period = report.Period(args.from_ or default.start, args.to or default.end)
    if period.end < period.start:
        raise ApiError(422, "invalid input", [("to", "the period ends before it starts")])
    total, rows = report.offer_rate(g.workspace, period, args.group_by)
    policy = policies.active_policy(g.workspace)
    t = _row(total)
    return respond(
        OfferRateOut(
            target=report.target(policy),
            rows=[_row(r) for r in rows],
            **t.model_dump(exclude={"key"}),
        )
    )
