"""Monthly roster: when it is sent (CCIMA-3) and who is active for assignment (CCIMA-4)."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tenants.calendar import BusinessCalendar
from tenants.policy import Policy


@dataclass(frozen=True)
class RosterFacts:
    """An agent's roster state for a month (month = first day of that month)."""

    on_roster_month: date | None = None
    confirmed_at: datetime | None = None


def roster_send_at(policy: Policy, now: datetime) -> datetime:
    """This month's send instant (UTC), from the send day and time in the department's zone."""
    cal = BusinessCalendar(policy.calendar)
    local = cal.local(now)
    r = policy.roster
    send = datetime.combine(local.date().replace(day=r.send_day), r.send_time, tzinfo=cal.zone)
    return send.astimezone(UTC)


def roster_send_due(policy: Policy, now: datetime, last_sent_at: datetime | None = None) -> bool:
    """True when this month's roster should go out now and has not gone out yet."""
    if not policy.roster.enabled:
        return False
    send_at = roster_send_at(policy, now)
    return now >= send_at and (last_sent_at is None or last_sent_at < send_at)


def is_active_for_assignment(policy: Policy, facts: RosterFacts, now: datetime) -> bool:
    """An agent on this month's roster is active once confirmed (if confirmation is required)."""
    if not policy.roster.enabled:
        return True
    month = BusinessCalendar(policy.calendar).local(now).date().replace(day=1)
    if facts.on_roster_month != month:
        return False
    return facts.confirmed_at is not None or not policy.roster.confirmation_required


def roster_month(policy: Policy, at: datetime) -> date:
    """The month (its first day) that `at` falls in, in the department's zone."""
    return BusinessCalendar(policy.calendar).local(at).date().replace(day=1)


def _following_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def roster_send_instant(policy: Policy, month: date) -> datetime:
    """When `month`'s roster goes out (UTC): its send day and time in the department's zone."""
    zone = BusinessCalendar(policy.calendar).zone
    local_day = month.replace(day=policy.roster.send_day)
    return datetime.combine(local_day, policy.roster.send_time, tzinfo=zone).astimezone(UTC)


def next_roster_send_at(policy: Policy, after: datetime) -> datetime | None:
    """The first send instant (UTC) strictly after `after`; None when the roster is off.

    The send day is at most the 28th, so it is this month's or the following month's.
    """
    if not policy.roster.enabled:
        return None
    month = roster_month(policy, after)
    send = roster_send_instant(policy, month)
    return send if send > after else roster_send_instant(policy, _following_month(month))


def roster_gone_out(policy: Policy, month: date, now: datetime) -> bool:
    """Whether `month`'s roster was due out by `now`: it is this month and past the send time.

    A change to such a roster takes effect at once (the added advisor is sent it now).
    """
    if not policy.roster.enabled:
        return False
    return roster_month(policy, now) == month and now >= roster_send_instant(policy, month)


def upcoming_roster_months(policy: Policy, now: datetime) -> tuple[date, date]:
    """The months a roster can still be planned for: this month and the following one."""
    month = roster_month(policy, now)
    return month, _following_month(month)


@dataclass(frozen=True)
class RosterMessage:
    """How one roster message reaches an advisor: the roster's channel, the rule's text."""

    channel: str
    template: str


ROSTER_SENT = "roster.sent"
ROSTER_CONFIRMED = "roster.confirmed"
DEFAULT_TEMPLATES = {ROSTER_SENT: "monthly_roster", ROSTER_CONFIRMED: "access_details"}


def roster_message(policy: Policy, event: str) -> RosterMessage:
    """The channel (the roster section's: one-to-one) and template of an advisor's message.

    A notification rule for the event that names agents chooses the text; without one the
    built-in template for the event is used.
    """
    rule = next(
        (r for r in policy.notifications.rules if r.event == event and "agent" in r.roles), None
    )
    return RosterMessage(policy.roster.channel, rule.template if rule else DEFAULT_TEMPLATES[event])


# Replies that confirm a roster, per language; a reply confirms when it holds no negation and
# either a confirming verb or nothing but words of assent ("Sí", "Oui !", "Да").
CONFIRMING_VERBS = {
    "en": {"confirm", "confirmed", "confirming"},
    "es": {"confirmo", "confirmado", "confirmada", "confirmar"},
    "fr": {"confirme", "confirmee", "confirmer"},
    "ru": {"подтверждаю", "подтверждено", "подтвердить", "подтвердил", "подтвердила"},
}
ASSENT_WORDS = {
    "en": {"yes", "ok", "okay", "sure"},
    "es": {"si", "vale", "ok", "claro"},
    "fr": {"oui", "ok", "daccord"},
    "ru": {"да", "ок", "хорошо"},
}
NEGATIONS = {"no", "not", "dont", "non", "pas", "нет", "не"}


def _words(text: str) -> list[str]:
    """Lower-case words without accents or punctuation ("¡Sí!" → ["si"], "d'accord" → ...)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Apostrophes join ("d'accord" → "daccord"), typewriter or typographic (U+2019).
    return re.findall(r"[^\W_]+", re.sub("['\u2019]", "", plain))


def _normalised(groups: dict[str, set[str]]) -> frozenset[str]:
    return frozenset(w for words in groups.values() for word in words for w in _words(word))


_VERBS = _normalised(CONFIRMING_VERBS)
_ASSENT = _normalised(ASSENT_WORDS)
_NEGATIONS = _normalised({"any": NEGATIONS})


def is_confirmation(reply: str | None) -> bool:
    """Whether an advisor's reply (a text or a button's payload) confirms the roster."""
    words = _words(reply or "")
    if not words or _NEGATIONS.intersection(words):
        return False
    return bool(_VERBS.intersection(words)) or set(words) <= _ASSENT
