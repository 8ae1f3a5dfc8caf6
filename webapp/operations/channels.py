"""A workspace's channel settings; tokens are written, never read back by the interface."""

from __future__ import annotations

from tenants.errors import Refusal
from tenants.markers import N_
from webapp.channels.senders import CONFIGURABLE, DEFAULT_BASE_URLS
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import ChannelSettings, User, Workspace
from webapp.tenancy import scoped

from . import audit
from .unit import operation


def settings_for(workspace: Workspace) -> dict[str, ChannelSettings | None]:
    """Each configurable channel's settings row, or None if it has none."""
    rows = db.session.scalars(scoped(ChannelSettings, workspace))
    found = {row.channel: row for row in rows}
    return {channel: found.get(channel) for channel in CONFIGURABLE}


@operation
def save_channel(
    workspace: Workspace,
    channel: str,
    *,
    base_url: str,
    phone_number_id: str | None,
    token: str | None,
    chat_id: str | None,
    telegram_groups: dict[str, str | None] | None = None,
    enabled: bool,
    actor: User | None,
    app_secret: str | None = None,
    verify_token: str | None = None,
) -> ChannelSettings:
    """Create or update `channel`'s settings; an empty token or secret keeps the stored one."""
    if channel not in CONFIGURABLE:
        raise UserError(
            "channel",
            Refusal(N_("choose a channel: one of %(allowed)s"), allowed=", ".join(CONFIGURABLE)),
        )
    base_url = (base_url or DEFAULT_BASE_URLS[channel]).strip().rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise UserError("base_url", Refusal(N_("enter an http(s) address")))
    row = settings_for(workspace)[channel]
    if row is None:
        row = ChannelSettings(workspace_id=workspace.id, channel=channel)
        db.session.add(row)
    row.base_url, row.enabled = base_url, enabled
    row.phone_number_id = (phone_number_id or "").strip() or None
    row.chat_id = (chat_id or "").strip() or None
    if token:
        row.token = token.strip()
    if telegram_groups:
        _merge_groups(row, telegram_groups)
    # WhatsApp replies: the inbound webhook's app secret and verify token, write-only too.
    if app_secret:
        row.app_secret = app_secret.strip()
    if verify_token:
        row.verify_token = verify_token.strip()
    db.session.flush()
    audit.record(
        workspace.id,
        "channel.saved",
        row,
        actor=actor,
        after={
            "channel": channel,
            "base_url": base_url,
            "enabled": enabled,
            "token_changed": bool(token),
            "telegram_groups": sorted(row.telegram_groups or {}),
            "app_secret_changed": bool(app_secret),
            "verify_token_changed": bool(verify_token),
        },
    )
    return row


def _merge_groups(row: ChannelSettings, groups: dict[str, str | None]) -> None:
    """Add or change the named group chats; a name without a chat id is removed (CCIMA-9)."""
    if row.channel != "telegram":
        raise UserError("telegram_groups", Refusal(N_("group chats are a Telegram setting")))
    merged = {**(row.telegram_groups or {}), **groups}
    row.telegram_groups = {name: chat for name, chat in sorted(merged.items()) if chat} or None
