"""Words of the portal that are not the policy's: contact channels and their fields."""

from flask_babel import lazy_gettext as _l

CONTACT_CHANNELS = {
    "call": _l("Call"),
    "email": _l("E-mail"),
    "social": _l("Social"),
    "voicemail": _l("Voicemail"),
    "sms": _l("SMS"),
    "whatsapp": _l("WhatsApp"),
    "in_person": _l("In person"),
}
ATTEMPT_FIELDS = {
    "subject": _l("Subject"),
    "number": _l("Number called"),
    "network": _l("Network or profile"),
    "message": _l("Message left"),
    "collateral": _l("Document sent"),
    "deal_value": _l("Deal value"),
    "lost_reason": _l("Why it was lost"),
}


def contact_channel(code: str) -> str:
    return str(CONTACT_CHANNELS.get(code, code.replace("_", " ").capitalize()))


def field_label(code: str) -> str:
    return str(ATTEMPT_FIELDS.get(code, code.replace("_", " ").capitalize()))
