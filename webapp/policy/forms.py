"""Forms of the policy pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class PolicyTextForm(FlaskForm):
    """A whole document or one section, as YAML, with why it changes."""

    document = TextAreaField(_l("Policy (YAML)"))
    comment = StringField(
        _l("What changes, and why"),
        validators=[DataRequired(_l("Say what this version changes.")), Length(max=500)],
    )
    activate = BooleanField(_l("Make this version active now"), default=True)
    # Asked for when the text is empty: saving it replaces the whole policy (or the section)
    # with the defaults, which is seldom meant.
    confirm_empty = BooleanField(_l("Yes, save it empty: every setting it held takes its default"))


class SectionForm(PolicyTextForm):
    """A section's typed fields travel as request.form entries named by path; this form
    carries only the comment, the activation choice and the errors."""
