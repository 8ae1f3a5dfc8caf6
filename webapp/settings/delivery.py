"""Settings: the channels notifications go out through, and the delivery log."""

from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Notification, NotificationState
from webapp.operations import channels, delivery
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped
from webapp.validation_messages import user_message

from .blueprint import ADMINS, READERS, bp, may_edit
from .forms import CHANNEL_LABELS, ChannelForm

LOG_LIMIT = 200
RETRYABLE = (NotificationState.FAILED, NotificationState.DEAD)


def _render_channels(form: ChannelForm, status: int = 200) -> Response:
    return render(
        "settings/channels.html",
        status=status,
        form=form,
        settings=channels.settings_for(g.workspace),
        labels=CHANNEL_LABELS,
        may_edit=may_edit(),
    )


@bp.get("/channels")
@requires_role(*READERS)
def channels_page() -> Response:
    """The WhatsApp and Telegram settings of the workspace (tokens are never shown)."""
    return _render_channels(ChannelForm())


@bp.post("/channels")
@requires_role(*ADMINS)
def save_channel() -> Response:
    """Save one channel's settings; an empty token keeps the stored one."""
    form = ChannelForm()
    if form.validate_on_submit():
        try:
            channels.save_channel(
                g.workspace,
                form.channel.data,
                base_url=form.base_url.data or "",
                phone_number_id=form.phone_number_id.data,
                token=form.token.data,
                chat_id=form.chat_id.data,
                telegram_groups=form.telegram_groups.data,
                enabled=form.enabled.data,
                actor=current_user,
                app_secret=form.app_secret.data,
                verify_token=form.verify_token.data,
            )
        except UserError as refused:
            getattr(form, refused.field, form.channel).errors.append(user_message(refused))
        else:
            flash(_("Channel %(name)s saved.", name=CHANNEL_LABELS[form.channel.data]), "success")
            return redirect(url_for("settings.channels_page"))
    return _render_channels(form, status=422)


@bp.get("/deliveries")
@requires_role(*READERS)
def deliveries_page() -> Response:
    """The latest notifications: channel, recipient, state, attempts and last error."""
    rows = db.session.scalars(
        scoped(Notification)
        .options(joinedload(Notification.recipient))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(LOG_LIMIT)
    ).all()
    return render(
        "settings/deliveries.html", notifications=rows, retryable=RETRYABLE, may_edit=may_edit()
    )


@bp.post("/deliveries/<int:notification_id>/retry")
@requires_role(*ADMINS)
def retry_delivery(notification_id: int) -> Response:
    """Send a failed or dead notification again, with a fresh set of attempts."""
    notification = get_or_404(Notification, notification_id)
    if notification.state in RETRYABLE:
        delivery.retry(notification, actor=current_user)
        flash(_("The message will be sent again."), "success")
    return redirect(url_for("settings.deliveries_page"))
