"""Campaign management for managers (TEL-1, TEL-9): list, create, edit, activate / pause,
targets from a CSV, and the customer base's tariffs and services from a CSV."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.lead_csv.parsing import MAX_BYTES, decode
from webapp.models import Campaign, Customer, Role
from webapp.operations import campaigns, customers
from webapp.operations.offer_errors import OfferInvalid
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped

from . import forms
from .blueprint import campaigns_bp as bp

STAFF = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)


def _user():
    return current_user._get_current_object()


@bp.get("/")
@requires_role(*STAFF)
def index() -> Response:
    """Every campaign, highest priority first, with its state and targets."""
    rows = db.session.scalars(scoped(Campaign).order_by(Campaign.priority, Campaign.code)).all()
    base = db.session.scalar(scoped(Customer).with_only_columns(db.func.count(Customer.id)))
    return render(
        "interactions/campaigns.html",
        campaigns=rows,
        targets=campaigns.target_count,
        customers=base,
    )


def _form(
    campaign: Campaign | None, errors: dict | None = None, values=None, status: int = 200
) -> Response:
    return render(
        "interactions/campaign_form.html",
        status=status,
        campaign=campaign,
        errors=errors or {},
        values=values,
    )


@bp.get("/new")
@requires_role(*STAFF)
def new() -> Response:
    """The form for a new campaign."""
    return _form(None)


@bp.post("/new")
@requires_role(*STAFF)
def create() -> Response:
    """Create the campaign (audited); every bad field is named beside it."""
    try:
        campaign = campaigns.create_campaign(
            g.workspace, forms.campaign_values(request.form), actor=_user()
        )
    except OfferInvalid as error:
        db.session.rollback()
        return _form(None, dict(error.errors), request.form, 422)
    flash(_("Campaign saved."))
    return redirect(url_for("campaigns.edit", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>")
@requires_role(*STAFF)
def edit(campaign_id: int) -> Response:
    """One campaign's form, its targets and its exceptions."""
    return _form(get_or_404(Campaign, campaign_id))


@bp.post("/<int:campaign_id>")
@requires_role(*STAFF)
def update(campaign_id: int) -> Response:
    """Save the campaign's changes (audited)."""
    campaign = get_or_404(Campaign, campaign_id)
    try:
        campaigns.update_campaign(campaign, forms.campaign_values(request.form), actor=_user())
    except OfferInvalid as error:
        db.session.rollback()
        return _form(campaign, dict(error.errors), request.form, 422)
    flash(_("Campaign saved."))
    return redirect(url_for("campaigns.edit", campaign_id=campaign.id))


@bp.post("/<int:campaign_id>/toggle")
@requires_role(*STAFF)
def toggle(campaign_id: int) -> Response:
    """Activate a paused campaign, or pause an active one."""
    campaign = get_or_404(Campaign, campaign_id)
    becomes = not campaign.active
    campaigns.update_campaign(
        campaign, {"active": becomes}, actor=_user(), action="activated" if becomes else "paused"
    )
    flash(_("Campaign activated.") if becomes else _("Campaign paused."))
    return redirect(url_for("campaigns.index"))


def _upload() -> bytes | None:
    file = request.files.get("file")
    if file is None or not file.filename:
        return None
    return file.read(MAX_BYTES + 1)


@bp.post("/<int:campaign_id>/targets")
@requires_role(*STAFF)
def targets(campaign_id: int) -> Response:
    """Replace the campaign's numbers from a CSV (first column); none: every number."""
    campaign = get_or_404(Campaign, campaign_id)
    data = _upload()
    if data is None and request.form.get("all") != "1":
        return _form(campaign, {"file": _("Choose a CSV file.")}, status=422)
    lines: list[str] = decode(data)[0].splitlines() if data else []
    good, bad = campaigns.parse_targets(lines)
    if bad:
        lines_named = ", ".join(str(n) for n, _v in bad[:10])
        return _form(
            campaign,
            {"file": _("Not a 10-digit number on lines %(lines)s.", lines=lines_named)},
            status=422,
        )
    try:
        count = campaigns.replace_targets(campaign, good, actor=_user())
    except OfferInvalid as error:
        db.session.rollback()
        return _form(campaign, dict(error.errors), status=422)
    flash(
        _("%(n)s numbers in the campaign.", n=count)
        if count
        else _("The campaign goes to every number.")
    )
    return redirect(url_for("campaigns.edit", campaign_id=campaign.id))


@bp.post("/customers")
@requires_role(*STAFF)
def import_customers() -> Response:
    """Add or update the customer base (ctn, tariff, services) from a CSV."""
    data = _upload()
    if data is None:
        flash(_("Choose a CSV file."), "error")
        return redirect(url_for("campaigns.index"))
    try:
        result = customers.import_customers(g.workspace, data, actor=_user())
    except OfferInvalid as error:
        db.session.rollback()
        flash(error.errors[0][1], "error")
        return redirect(url_for("campaigns.index"))
    flash(
        _(
            "Customer base: %(created)s added, %(updated)s updated, %(bad)s lines skipped.",
            created=result.created,
            updated=result.updated,
            bad=len(result.bad_lines),
        )
    )
    return redirect(url_for("campaigns.index"))
