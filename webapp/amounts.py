"""Amounts as people type them: "12,500.00" in English, "12 500,00" in French or Russian,
"12.500,00" in Spanish, read with Babel in the reader's locale (ALL-6)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal

# Group separators that keyboards type as a plain space.
SPACES = ("\u00a0", "\u202f")


def parse_amount(text: str, locale: str) -> Decimal:
    """The amount `text` means in `locale`; ValueError if it is not one written there."""
    value = " ".join(text.split())
    group = get_group_symbol(locale)
    if group in SPACES:
        value = value.replace(" ", group)
    try:
        return parse_decimal(value, locale=locale, strict=True)
    except NumberFormatError as error:
        raise ValueError(text) from error
