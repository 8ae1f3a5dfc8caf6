"""pydantic's refusals in the reader's language (issue 16 item 2): "Field required" becomes
"Campo obligatorio". A message is chosen by the error's `type` code and filled with its `ctx`
values; a type this table does not know keeps pydantic's (English) message."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _

from tenants.errors import Refusal
from tenants.markers import N_

PYDANTIC_MESSAGES = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("This field is not allowed here"),
    "string_type": N_("Enter a text"),
    "string_too_short": N_("Enter at least %(min_length)s characters"),
    "string_too_long": N_("Enter at most %(max_length)s characters"),
    "string_pattern_mismatch": N_("This value does not have the expected form"),
    "int_type": N_("Enter a whole number"),
    "int_parsing": N_("Enter a whole number"),
    "int_from_float": N_("Enter a whole number"),
    "float_type": N_("Enter a number"),
    "float_parsing": N_("Enter a number"),
    "decimal_parsing": N_("Enter a number"),
    "bool_type": N_("Enter yes or no"),
    "bool_parsing": N_("Enter yes or no"),
    "greater_than": N_("Enter a value greater than %(gt)s"),
    "greater_than_equal": N_("Enter a value of at least %(ge)s"),
    "less_than": N_("Enter a value less than %(lt)s"),
    "less_than_equal": N_("Enter a value of at most %(le)s"),
    "list_type": N_("Enter a list"),
    "dict_type": N_("Enter a mapping of names to values"),
    "too_short": N_("Enter at least %(min_length)s items"),
    "too_long": N_("Enter at most %(max_length)s items"),
    "literal_error": N_("Choose one of: %(expected)s"),
    "enum": N_("Choose one of: %(expected)s"),
    "date_parsing": N_("Enter a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("Enter a date (YYYY-MM-DD)"),
    "datetime_parsing": N_("Enter a date and time (ISO 8601)"),
    "datetime_from_date_parsing": N_("Enter a date and time (ISO 8601)"),
    "url_parsing": N_("Enter a web address"),
    "json_invalid": N_("The body is not valid JSON"),
    "union_tag_invalid": N_("Choose one of: %(expected_tags)s"),
    "union_tag_not_found": N_("Give %(discriminator)s"),
    "model_type": N_("Enter a mapping of names to values"),
    "model_attributes_type": N_("Enter a mapping of names to values"),
    "finite_number": N_("Enter a finite number"),
    "multiple_of": N_("Enter a multiple of %(multiple_of)s"),
    "date_type": N_("Enter a date (YYYY-MM-DD)"),
    "time_parsing": N_("Enter a time of day (HH:MM)"),
    "time_type": N_("Enter a time of day (HH:MM)"),
    "set_type": N_("Enter a list"),
    "tuple_type": N_("Enter a list"),
}


def pydantic_message(error: dict[str, Any]) -> str:
    """One entry of `ValidationError.errors()` as a sentence in the request's language."""
    template = PYDANTIC_MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", ""))
    values = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return _(template, **values)
    except (KeyError, ValueError):  # a ctx this pydantic version names differently
        return str(error.get("msg", ""))


def engine_message(message: str) -> str:
    """A refusal of the policy engine (a tenants.errors.Refusal) in the request's language
    (issue 16 item 2): its msgid translated and filled with its values, or, for one of
    pydantic's own errors, pydantic_message. English readers, plain text and a message with
    no translation keep the engine's English text exactly."""
    if not isinstance(message, Refusal) or not has_request_context():
        return str(message)
    locale = get_locale()
    if locale is None or locale.language == "en":
        return str(message)
    if message.pydantic is not None:
        return pydantic_message(message.pydantic)
    params = {
        key: engine_message(value) if isinstance(value, Refusal) else value
        for key, value in message.params.items()
    }
    translated = _(message.template)
    try:
        return translated % params if params else translated
    except (KeyError, ValueError, TypeError):  # a catalogue entry with a broken placeholder
        return str(message)


def user_message(error: Exception) -> str:
    """A webapp.errors.UserError (or any refusal) as a person reads it: in the request's
    language (issue 16 item 2). `str(error)` says the same; this names the intent."""
    message = getattr(error, "message", None)
    return engine_message(message) if message is not None else str(error)
