"""Forms of the settings pages: a new API key, a new webhook source."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

ROLE_LABELS = {
    "agent": _l("Agent: receive, read and work leads"),
    "manager": _l("Manager: also assign leads"),
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
