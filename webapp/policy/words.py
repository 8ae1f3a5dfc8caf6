"""Values of the policy as words in the reader's language: durations, times, lists, yes/no."""

from __future__ import annotations

from datetime import time
from typing import Any

from babel.dates import get_timezone_location
from babel.lists import format_list
from babel.units import format_unit
from flask_babel import format_time, get_locale
from flask_babel import gettext as _

from tenants.durations import Duration

from . import choices

_UNITS = {
    "s": "duration-second",
    "m": "duration-minute",
    "h": "duration-hour",
    "d": "duration-day",
    "w": "duration-week",
}


def locale() -> str:
    return str(get_locale() or "en")


def duration(value: Any) -> str:
    """'10m' -> '10 minutos' (Babel's plural rules: '21 минута', '22 минуты', '25 минут')."""
    parsed = Duration.parse(str(value))
    return format_unit(parsed.amount, _UNITS[parsed.unit], length="long", locale=locale())


def listing(items: list[str], style: str = "standard") -> str:
    """'a, b and c' (or, with style "or", 'a, b or c') in the reader's language."""
    return format_list([str(i) for i in items], style=style, locale=locale()) if items else ""


def time_of_day(text: str) -> str:
    """'08:00' -> '8:00' (or '08:00', as the language writes it)."""
    hours, minutes = (int(p) for p in text[:5].split(":"))
    if hours == 24:
        return "24:00"
    return format_time(time(hours, minutes), "short")


def zone(name: str) -> str:
    """'America/Mexico_City' -> 'Ciudad de México'."""
    try:
        return get_timezone_location(name, locale=locale(), return_city=True)
    except (LookupError, ValueError):
        return name


def yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


def value(field_widget: str, kind: str, raw: Any, options: list[tuple[str, str]]) -> str:
    """A setting's value as the form would show it, in words."""
    if raw is None or raw == []:
        return _("not set")
    if kind == "duration":
        return duration(raw)
    if isinstance(raw, bool):
        return yes_no(raw)
    words = dict(options)
    if isinstance(raw, list):
        return listing([words.get(str(v), choices.value_words(v)) for v in raw])
    if field_widget in ("select", "multiselect"):
        return words.get(str(raw), choices.value_words(raw))
    return str(raw)
