"""Match-key normalisation for duplicate detection.

Phones become E.164 (numbers without a leading + are read in the policy's default region);
a number written in a retired national form (Mexico's mobile "1" before 2019, ...) becomes
the number it is today, from the table in `tenants/data/legacy_phone_prefixes.yaml`.
E-mails are trimmed and lower-cased, nothing more: Gmail dots and +tags are kept, because
removing them is provider-specific and would merge people who are genuinely different.
"""

from functools import cache, lru_cache
from importlib import resources

import phonenumbers
import yaml


@cache
def legacy_prefixes() -> dict[int, tuple[str, ...]]:
    """Retired national prefixes by country calling code (longest first)."""
    text = resources.files("tenants").joinpath("data/legacy_phone_prefixes.yaml").read_text()
    table = yaml.safe_load(text) or {}
    return {
        int(code): tuple(sorted(map(str, p), key=len, reverse=True)) for code, p in table.items()
    }


def _current_form(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber | None:
    """The valid number an invalid one was in a retired national form, if it was one."""
    national = phonenumbers.national_significant_number(number)
    for prefix in legacy_prefixes().get(number.country_code, ()):
        if not national.startswith(prefix):
            continue
        try:
            rest = phonenumbers.parse(f"+{number.country_code}{national[len(prefix) :]}")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(rest):
            return rest
    return None


# Parsing and validating a number costs more than the rest of a lookup; one intake asks for
# the same number several times (validation, matching, storing), imports for many rows.
@lru_cache(maxsize=4096)
def normalise_phone(raw: str | None, default_region: str = "US") -> str | None:
    """E.164 form of a phone number, or None if it cannot be a valid number."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        number = _current_form(number)
        if number is None:
            return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str | None) -> str | None:
    """Trimmed, lower-cased e-mail, or None if it has no single @ with text on both sides."""
    if not raw:
        return None
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    return email if at and local and domain and "@" not in domain else None


def _plain(raw: str | None, default_region: str = "") -> str | None:
    value = (raw or "").strip()
    return value or None


KEY_NORMALISERS = {
    "phone": normalise_phone,
    "email": lambda raw, region: normalise_email(raw),
    "external_id": _plain,
    "account": _plain,
}


def normalise_key(key: str, raw: str | None, default_region: str) -> str | None:
    """Normalise one match key's value."""
    return KEY_NORMALISERS[key](raw, default_region)
