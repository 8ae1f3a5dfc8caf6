"""Forms of the people pages: inviting, a member's fields, teams, partner organisations,
the workspace itself, and a person's own account."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tenants.profiles import list_profiles, load_profile
from webapp.i18n import LOCALE_NAMES
from webapp.models import Role
from webapp.template_helpers import ROLE_LABELS

NONE = ""
LINE_LABELS = {"first": _l("First line"), "second": _l("Second line")}


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


def locale_choices(empty_label) -> list[SelectChoice]:
    return [SelectChoice(NONE, empty_label)] + [
        SelectChoice(code, name) for code, name in LOCALE_NAMES.items()
    ]


def optional_choices(rows, label=lambda r: r.name) -> list[SelectChoice]:
    return [SelectChoice(NONE, _l("None"))] + [SelectChoice(str(r.id), label(r)) for r in rows]


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(_l("Enter an e-mail address.")), Length(max=254)]
    )
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), default=Role.AGENT.value, validate_choice=False)
    team = SelectField(_l("Team"), default=NONE, validate_choice=False)


class MemberForm(FlaskForm):
    """Everything the policy engine reads of a member (issue 12 item 2)."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    role = SelectField(_l("Role"), validate_choice=False)
    team = SelectField(_l("Team"), validate_choice=False)
    partner_organisation = SelectField(_l("Partner organisation"), validate_choice=False)
    phone = StringField(_l("Phone (WhatsApp)"), validators=[Optional(), Length(max=40)])
    telegram_chat_id = StringField(_l("Telegram chat id"), validators=[Optional(), Length(max=64)])
    locale = SelectField(_l("Language"), validate_choice=False)
    authorised = BooleanField(_l("Authorised to receive leads"))
    available = BooleanField(_l("Available"))
    away_until = DateTimeLocalField(
        _l("Away until"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    capacity = IntegerField(
        _l("Most open leads at once (empty: the policy's)"),
        validators=[Optional(), NumberRange(min=0, max=100000)],
    )
    weight = IntegerField(
        _l("Weight (share of leads)"),
        default=1,
        validators=[DataRequired(_l("Enter a whole number from 1.")), NumberRange(min=1)],
    )
    line = SelectField(
        _l("Line"), choices=[SelectChoice(code, label) for code, label in LINE_LABELS.items()]
    )
    manager = SelectField(_l("Manager"), validate_choice=False)
    assistant = SelectField(_l("Assistant"), validate_choice=False)


class NamedForm(FlaskForm):
    """A team or a partner organisation."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    code = StringField(_l("Code (how the policy names it)"), validators=[Length(max=40)])
    crm_reference = StringField(_l("CRM reference"), validators=[Length(max=120)])


class WorkspaceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    slug = StringField(
        _l("Address (slug)"), validators=[DataRequired(_l("Choose an address.")), Length(max=40)]
    )
    profile = SelectField(_l("Start from"))
    locale = SelectField(
        _l("Language"), choices=[SelectChoice(c, n) for c, n in LOCALE_NAMES.items()]
    )
    time_zone = StringField(
        _l("Time zone"), default="UTC", validators=[DataRequired(_l("Choose a time zone."))]
    )
    country = StringField(
        _l("Country (for holidays and phone numbers)"),
        default="US",
        validators=[DataRequired(_l("Enter a country code.")), Length(min=2, max=2)],
    )
    currency = StringField(
        _l("Currency (empty: the country's)"), validators=[Optional(), Length(max=3)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.profile.choices = profile_choices()


def profile_choices() -> list[SelectChoice]:
    return [SelectChoice("blank", _l("An empty policy"))] + [
        # The profile's own name ("Dealer BDC"), not its file's code (issue 16 item 2).
        SelectChoice(name, _profile_title(name))
        for name in list_profiles()
        if name != "blank"
    ]


@cache
def _profile_title(name: str) -> str:
    """A built-in profile's name; its YAML is parsed once, not on every form shown."""
    return load_profile(name).get("name") or name


class RenameWorkspaceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])


class ProfileForm(FlaskForm):
    """What a member changes of themselves."""

    phone = StringField(_l("Phone (WhatsApp)"), validators=[Optional(), Length(max=40)])
    telegram_chat_id = StringField(_l("Telegram chat id"), validators=[Optional(), Length(max=64)])
    locale = SelectField(_l("Language"), validate_choice=False)


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your password."))]
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=200)],
    )


class SetPasswordForm(FlaskForm):
    """An invitation's or a reset link's page."""

    name = StringField(_l("Your name"), validators=[Length(max=200)])
    password = PasswordField(
        _l("Password (at least 8 characters)"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=200)],
    )


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)]
    )


class FromProfileForm(FlaskForm):
    profile = SelectField(_l("Profile"))
    confirm = BooleanField(_l("Save it as a new version"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.profile.choices = profile_choices()
