"""Forms of the settings pages: a new API key, a new webhook source, a channel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from .group_chats import GroupChatsField

ROLE_LABELS = {
    "agent": _l("Agent: receive, read and work leads"),
    "manager": _l("Manager: also assign leads"),
    "director": _l("Director: also replace and activate the policy"),
    "admin": _l("Administrator: everything the API allows"),
}


class ApiKeyForm(FlaskForm):
    name = StringField(
        _l("What the key is for"),
        validators=[DataRequired(_l("Name the key.")), Length(max=120)],
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(code, label) for code, label in ROLE_LABELS.items()],
        default="agent",
    )


class WebhookForm(FlaskForm):
    name = StringField(
        _l("Sender"), validators=[DataRequired(_l("Name the sender.")), Length(max=120)]
    )
    source_code = StringField(
        _l("Source code"), validators=[DataRequired(_l("Choose a source.")), Length(max=60)]
    )


CHANNEL_LABELS = {"whatsapp": _l("WhatsApp"), "telegram": _l("Telegram")}


class ChannelForm(FlaskForm):
    channel = SelectField(
        _l("Channel"),
        choices=[SelectChoice(code, label) for code, label in CHANNEL_LABELS.items()],
    )
    base_url = StringField(_l("API address"), validators=[Optional(), Length(max=255)])
    phone_number_id = StringField(
        _l("Phone number id (WhatsApp)"), validators=[Optional(), Length(max=64)]
    )
    token = PasswordField(
        _l("Token (leave empty to keep the current one)"), validators=[Optional(), Length(max=512)]
    )
    chat_id = StringField(_l("Chat id (Telegram)"), validators=[Optional(), Length(max=64)])
    telegram_groups = GroupChatsField(
        _l("Group chats (Telegram): one per line, name = chat id; “name =” removes one")
    )
    app_secret = PasswordField(
        _l("App secret for WhatsApp replies (leave empty to keep the current one)"),
        validators=[Optional(), Length(max=256)],
    )
    verify_token = PasswordField(
        _l("Verify token for WhatsApp replies (leave empty to keep the current one)"),
        validators=[Optional(), Length(max=256)],
    )
    enabled = BooleanField(_l("Enabled"), default=True)
