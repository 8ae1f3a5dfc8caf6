"""`N_`: marks a text for extraction (Babel) without translating it; the web app translates
it when shown. Kept apart so any module of tenants/ can use it without an import cycle."""


def N_(text: str) -> str:
    """Mark a label, help text or refusal for extraction; returns it unchanged."""
    return text
