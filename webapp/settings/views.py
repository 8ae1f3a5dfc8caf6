"""Settings: the workspace's API keys and webhook sources (administrators; directors read)."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import ApiKey, WebhookSource
from webapp.operations import api_keys, policies, webhooks
from webapp.policy.labels import PolicyLabels
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped
from webapp.validation_messages import user_message

from .blueprint import ADMINS, READERS, bp, may_edit
from .forms import ROLE_LABELS, ApiKeyForm, WebhookForm


def _keys() -> list[ApiKey]:
    return db.session.scalars(
        scoped(ApiKey).options(joinedload(ApiKey.created_by)).order_by(ApiKey.created_at.desc())
    ).all()


def _render_keys(form: ApiKeyForm, secret: str | None = None, status: int = 200) -> Response:
    return render(
        "settings/api_keys.html",
        status=status,
        form=form,
        keys=_keys(),
        secret=secret,
        may_edit=may_edit(),
        role_labels=ROLE_LABELS,
    )


@bp.get("/api-keys")
@requires_role(*READERS)
def api_keys_page() -> Response:
    """The workspace's API keys: prefix, name, role, created, last used."""
    return _render_keys(ApiKeyForm())


@bp.post("/api-keys")
@requires_role(*ADMINS)
def create_api_key() -> Response:
    """Create a key and show it once."""
    form = ApiKeyForm()
    if form.validate_on_submit():
        try:
            _key, secret = api_keys.create_api_key(
                g.workspace, form.name.data, actor=current_user, role=form.role.data
            )
        except UserError as refused:
            getattr(form, refused.field, form.name).errors.append(user_message(refused))
        else:
            return _render_keys(ApiKeyForm(formdata=None), secret=secret, status=201)
    return _render_keys(form, status=422)


@bp.post("/api-keys/<int:key_id>/revoke")
@requires_role(*ADMINS)
def revoke_api_key(key_id: int) -> Response:
    """Revoke a key: requests with it are refused from now on."""
    key = get_or_404(ApiKey, key_id)
    if key.revoked_at is None:
        api_keys.revoke_api_key(key, actor=current_user)
        flash(_("API key %(name)s revoked.", name=key.name), "success")
    return redirect(url_for("settings.api_keys_page"))


def _hook_url(source: WebhookSource) -> str:
    path = url_for("hooks.receive_hook", workspace=g.workspace.slug, source=source.source_code)
    return current_app.config["LEADLINE_BASE_URL"] + path


def _render_hooks(
    form: WebhookForm, created: WebhookSource | None = None, secret: str | None = None, status=200
) -> Response:
    sources = db.session.scalars(
        scoped(WebhookSource)
        .options(joinedload(WebhookSource.created_by))
        .order_by(WebhookSource.created_at.desc())
    ).all()
    return render(
        "settings/webhooks.html",
        status=status,
        form=form,
        sources=sources,
        created=created,
        secret=secret,
        hook_url=_hook_url,
        policy_sources=_policy_sources(),
        may_edit=may_edit(),
    )


@bp.get("/webhooks")
@requires_role(*READERS)
def webhooks_page() -> Response:
    """The workspace's webhook sources, their URLs and how to sign a request."""
    return _render_hooks(WebhookForm())


@bp.post("/webhooks")
@requires_role(*ADMINS)
def create_webhook() -> Response:
    """Create a webhook source and show its secret once."""
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            source, secret = webhooks.create_source(
                g.workspace, form.source_code.data, form.name.data, actor=current_user
            )
        except UserError as refused:
            getattr(form, refused.field, form.name).errors.append(user_message(refused))
        else:
            return _render_hooks(WebhookForm(formdata=None), source, secret, status=201)
    return _render_hooks(form, status=422)


@bp.post("/webhooks/<int:source_id>/revoke")
@requires_role(*ADMINS)
def revoke_webhook(source_id: int) -> Response:
    """Revoke a webhook source: its requests are refused from now on."""
    source = get_or_404(WebhookSource, source_id)
    if source.revoked_at is None:
        webhooks.revoke_source(source, actor=current_user)
        flash(_("Webhook %(name)s revoked.", name=source.name), "success")
    return redirect(url_for("settings.webhooks_page"))


def _policy_sources() -> list[tuple[str, str]]:
    """(code, label) of the policy's sources, the label in the reader's language."""
    policy = policies.active_policy(g.workspace)
    labels = PolicyLabels.for_request(policy)
    return [(s.code, labels.source(s.code)) for s in policy.intake.sources]
