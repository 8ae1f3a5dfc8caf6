"""The interaction screen an agent keeps open all shift (TEL-1..TEL-10): type or receive a
number, voice an offer, record the answer, transfer, accrue, save."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.live_versions import QUEUES as versions
from webapp.models import Campaign, Interaction, Offer, Role
from webapp.operations import accruals, campaigns, interactions, offers, policies
from webapp.operations.offer_errors import AnswerRefused, InteractionRefused, OfferInvalid
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped

from . import forms, presenting
from .blueprint import bp

MEMBERS = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER, Role.AGENT)
STAFF = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)
RECENT = 15


def _user():
    return current_user._get_current_object()


def _mine(interaction: Interaction) -> Interaction:
    """An agent works their own calls; staff may open anyone's."""
    if g.membership.role not in STAFF and interaction.agent_id != current_user.id:
        abort(404)
    return interaction


def _interaction(interaction_id: int) -> Interaction:
    return _mine(get_or_404(Interaction, interaction_id))


def _recent() -> list[Interaction]:
    return list(
        db.session.scalars(
            scoped(Interaction)
            .where(Interaction.agent_id == current_user.id)
            .order_by(Interaction.id.desc())
            .limit(RECENT)
        )
    )


def _last_id() -> int:
    recent = _recent()
    return recent[0].id if recent else 0


@bp.get("/")
@requires_role(*MEMBERS)
def index() -> Response:
    """Type the caller's number; a call from the telephony system opens by itself."""
    return _start_page()


def _start_page(errors: dict | None = None, ctn: str = "", status: int = 200) -> Response:
    return render(
        "interactions/start.html",
        status=status,
        errors=errors or {},
        ctn=ctn,
        recent=_recent(),
        version=versions.current(g.workspace.id, current_user.id),
        after=_last_id(),
        outcome_label=lambda c: forms.outcome_label(policies.active_policy(g.workspace), c),
    )


@bp.post("/")
@requires_role(*MEMBERS)
def open_call() -> Response:
    """Open an interaction for the typed number."""
    ctn = request.form.get("ctn", "")
    try:
        interaction = interactions.open_interaction(g.workspace, ctn, agent=_user(), actor=_user())
    except OfferInvalid as error:
        db.session.rollback()
        return _start_page(dict(error.errors), ctn[:40], 422)
    return redirect(url_for("interactions.show", interaction_id=interaction.id))


@bp.get("/incoming")
@requires_role(*MEMBERS)
def incoming() -> Response:
    """The live poll: 204 while my queue's version is unchanged; a call the telephony system
    opened for me since sends the screen there (HX-Redirect)."""
    version = versions.current(g.workspace.id, current_user.id)
    if request.args.get("v") == str(version):
        return Response(status=204)
    found = presenting.newest_incoming(
        g.workspace, current_user.id, request.args.get("after", 0, type=int)
    )
    if found is not None:
        response = Response(status=200)
        response.headers["HX-Redirect"] = url_for("interactions.show", interaction_id=found)
        return response
    return render(
        "interactions/_incoming.html", version=version, after=request.args.get("after", 0, type=int)
    )


def _screen(interaction: Interaction, status: int = 200, **extra) -> Response:
    view = presenting.screen(g.workspace, interaction)
    locale = str(get_locale())
    return render(
        "interactions/screen.html",
        status=status,
        interaction=interaction,
        view=view,
        answer_codes=offers.answer_codes(view.policy),
        only_first_offer=offers.only_first_offer(view.policy),
        answer_label=lambda code: presenting.answer_label(view.policy, code, locale),
        allowed=lambda offer: offers.allowed_moves(view.policy, offer.answer),
        splits=[
            (s, forms.label(forms.SPLITS, s)) for s in interactions.transfer_splits(view.policy)
        ],
        kinds=forms.ACCRUAL_KINDS,
        categories=[
            (c, forms.label(forms.ACCRUAL_CATEGORIES, c)) for c in accruals.categories(view.policy)
        ],
        outcome_label=lambda c: forms.outcome_label(view.policy, c),
        label=forms.label,
        split_labels=forms.SPLITS,
        category_labels=forms.ACCRUAL_CATEGORIES,
        errors=extra.pop("errors", {}),
        **extra,
    )


@bp.get("/<int:interaction_id>")
@requires_role(*MEMBERS)
def show(interaction_id: int) -> Response:
    """The call: offers in priority order with scripts, answers, archive, transfer, accruals."""
    return _screen(_interaction(interaction_id))


def _refused(interaction: Interaction, message: str, status: int) -> Response:
    db.session.rollback()
    db.session.refresh(interaction)
    return _screen(interaction, status, refusal=message)


def _record(
    interaction: Interaction, offer_campaign: Campaign, answer: str, late: bool
) -> Response:
    try:
        offers.record_answer(interaction, offer_campaign, answer, actor=_user(), late=late)
    except AnswerRefused as refused:
        return _refused(interaction, refused.message, 409)
    except InteractionRefused as refused:
        return _refused(interaction, refused.message, 409)
    except OfferInvalid as error:
        return _refused(interaction, "; ".join(m for _f, m in error.errors), 422)
    flash(_("Answer saved."))
    return None


@bp.post("/<int:interaction_id>/answers")
@requires_role(*MEMBERS)
def answer(interaction_id: int) -> Response:
    """Record YES / NO / THINK for an offer voiced on this call (TEL-3, TEL-4)."""
    interaction = _interaction(interaction_id)
    campaign = campaigns.by_code(g.workspace, request.form.get("campaign", ""))
    if campaign is None:
        return _refused(interaction, _("Choose one of the offers shown."), 422)
    refused = _record(interaction, campaign, request.form.get("answer", ""), late=False)
    return refused or redirect(url_for("interactions.show", interaction_id=interaction.id))


@bp.post("/<int:interaction_id>/archive/<int:offer_id>")
@requires_role(*MEMBERS)
def late_answer(interaction_id: int, offer_id: int) -> Response:
    """Change an earlier offer's answer from the number's archive (TEL-5)."""
    interaction = _interaction(interaction_id)
    offer = get_or_404(Offer, offer_id)
    if offer.ctn != interaction.ctn:
        abort(404)
    refused = _record(offer.interaction, offer.campaign, request.form.get("answer", ""), late=True)
    return refused or redirect(
        url_for("interactions.show", interaction_id=interaction.id) + "#archive"
    )


@bp.post("/<int:interaction_id>/transfer")
@requires_role(*MEMBERS)
def transfer(interaction_id: int) -> Response:
    """A transfer step; before any offer the screen reminds the agent first (TEL-2)."""
    interaction = _interaction(interaction_id)
    split = request.form.get("split", "")
    try:
        interactions.transfer(
            interaction, split, actor=_user(), confirmed=request.form.get("confirm") == "1"
        )
    except InteractionRefused as refused:
        db.session.rollback()
        return _screen(interaction, 409, reminder=refused.message, reminder_split=split)
    except OfferInvalid as error:
        db.session.rollback()
        return _screen(interaction, 422, errors=dict(error.errors))
    flash(_("Transfer recorded."))
    return redirect(url_for("interactions.show", interaction_id=interaction.id))


@bp.post("/<int:interaction_id>/close")
@requires_role(*MEMBERS)
def close(interaction_id: int) -> Response:
    """Save and close the interaction; without an offer it is a missed sale (TEL-6)."""
    interaction = _interaction(interaction_id)
    try:
        interactions.close(interaction, actor=_user())
    except InteractionRefused as refused:
        return _refused(interaction, refused.message, 409)
    if interaction.missed_sale:
        flash(_("Saved without an offer: a missed sale."), "error")
    else:
        flash(
            _(
                "Interaction saved: %(outcome)s.",
                outcome=forms.outcome_label(
                    policies.active_policy(g.workspace), interaction.outcome
                ),
            )
        )
    return redirect(url_for("interactions.index"))


@bp.post("/<int:interaction_id>/accruals")
@requires_role(*MEMBERS)
def accrue(interaction_id: int) -> Response:
    """Accrue a discount, compensation or fee credit with the customer's consent (TEL-10)."""
    interaction = _interaction(interaction_id)
    campaign = (
        campaigns.by_code(g.workspace, request.form.get("campaign", ""))
        if request.form.get("campaign")
        else None
    )
    try:
        accruals.add_accrual(
            interaction, forms.accrual_values(request.form), campaign=campaign, actor=_user()
        )
    except OfferInvalid as error:
        db.session.rollback()
        return _screen(interaction, 422, errors=dict(error.errors), accrual_form=request.form)
    flash(_("Accrual recorded."))
    return redirect(url_for("interactions.show", interaction_id=interaction.id) + "#accruals")
