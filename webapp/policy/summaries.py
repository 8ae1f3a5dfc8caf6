"""What each section of a policy does, in a sentence or two of the reader's language,
generated from its settings (issue 16 item 1; CCIMA-1, CCIMA-2, CCIMA-4..6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from tenants.policy.common import WEEKDAYS

from . import choices, words
from .fields import readable_code
from .references import policy_of

Summary = Callable[[dict[str, Any]], str]
SUMMARIES: dict[str, Summary] = {}

METRIC_WORDS = {"conversion_rate": _l("conversion rate"), "open_leads": _l("open leads")}
TASKS_ON_CLOSE = {
    "cancel": _l("When a lead is closed, its open tasks are cancelled."),
    "done": _l("When a lead is closed, its open tasks are marked done."),
    "keep": _l("When a lead is closed, its open tasks stay open."),
}


def summary(section: str):
    def register(fn: Summary) -> Summary:
        SUMMARIES[section] = fn
        return fn

    return register


def summarise(document: dict[str, Any], section: str) -> str:
    """The plain-language summary of `section`, or a count of its settings."""
    fn = SUMMARIES.get(section)
    if fn is not None:
        return _capitalised(fn(_with_defaults(document)))
    value = document.get(section)
    count = len(value) if isinstance(value, list | dict) else 0
    return ngettext("%(num)d entry.", "%(num)d entries.", count) if count else _("Not set.")


def _with_defaults(document: dict[str, Any]) -> dict[str, Any]:
    """The document as the policy reads it, every default filled in (the model's, not ours)."""
    policy = policy_of(document)
    return policy.dump() if policy is not None else document


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _days(days: list[str]) -> str:
    if len(days) == 7:
        return _("every day")
    if days == list(WEEKDAYS[:5]):
        return _("Monday to Friday")
    return words.listing([choices.value_words(d) for d in days])


def opening_hours(calendar: dict[str, Any]) -> str:
    """'between 8:00 and 18:00 (Mexico City, every day)'."""
    hours = calendar.get("business_hours") or {}
    by_hours: dict[tuple[str, ...], list[str]] = {}
    for day in WEEKDAYS:
        if hours.get(day):
            by_hours.setdefault(tuple(hours[day]), []).append(day)
    zone = words.zone(calendar.get("time_zone") or "UTC")
    parts = []
    for intervals, days in by_hours.items():
        spans = words.listing(
            [
                _(
                    "between %(start)s and %(end)s",
                    start=words.time_of_day(i[:5]),
                    end=words.time_of_day(i[6:]),
                )
                for i in intervals
            ]
        )
        parts.append(_("%(spans)s (%(zone)s, %(days)s)", spans=spans, zone=zone, days=_days(days)))
    return words.listing(parts)


def strategy_words(strategy: dict[str, Any] | None) -> str:
    """How a strategy picks an agent: 'in turn', 'to one of the 3 agents with the best ...'."""
    strategy = strategy or {"strategy": "round_robin"}
    if strategy.get("strategy") == "top_performer":
        n = int(strategy["top_n"])
        metric = strategy["metric"]
        return ngettext(
            "to the agent with the best %(metric)s over %(window)s",
            "to one of the %(num)d agents with the best %(metric)s over %(window)s",
            n,
            metric=str(METRIC_WORDS.get(metric, readable_code(metric).lower())),
            window=words.duration(strategy["window"]),
        )
    return choices.value_words(strategy.get("strategy"))


@summary("calendar")
def _calendar(document: dict[str, Any]) -> str:
    calendar = document.get("calendar") or {}
    text = _("Open %(hours)s.", hours=opening_hours(calendar))
    countries = [h.get("country") for h in calendar.get("holidays") or []]
    if countries:
        text += " " + _(
            "Closed on the public holidays of %(countries)s.", countries=words.listing(countries)
        )
    closed = len(calendar.get("closed_dates") or [])
    if closed:
        text += " " + ngettext(
            "Closed on %(num)d other date.", "Closed on %(num)d other dates.", closed
        )
    return text


@summary("assignment")
def _assignment(document: dict[str, Any]) -> str:
    assignment = document.get("assignment") or {}
    conditions = [e.get("kind") for e in assignment.get("eligibility") or []]
    who = (
        _(
            "an agent who is %(conditions)s",
            conditions=words.listing([choices.value_words(c) for c in conditions]),
        )
        if conditions
        else _("an agent")
    )
    how = strategy_words(assignment.get("strategy"))
    if assignment.get("direct_to_agents", True) is False:
        text = _("A new lead waits unassigned until a person hands it out or an agent claims it.")
    elif "inside_hours" in conditions:
        text = _(
            "A lead arriving %(hours)s is given at once to %(who)s, %(how)s.",
            hours=opening_hours(document.get("calendar") or {}),
            who=who,
            how=how,
        )
    else:
        text = _("A new lead is given at once to %(who)s, %(how)s.", who=who, how=how)
    if assignment.get("fallback"):
        text += " " + _(
            "If nobody is found that way, it goes %(how)s.",
            how=strategy_words(assignment["fallback"]),
        )
    return text


def _action_words(action: dict[str, Any]) -> str:
    kind = action.get("kind")
    if kind == "reassign":
        return _(
            "it goes %(how)s",
            how=strategy_words(action["strategy"]),
        )
    if kind == "notify":
        return _(
            "%(who)s are told on %(channels)s",
            who=words.listing([choices.value_words(r) for r in action.get("roles") or []]),
            channels=words.listing(
                [choices.value_words(c) for c in action.get("channels") or ["in_app"]]
            ),
        )
    if kind == "flag_breach":
        return _("a breach of the deadline is recorded")
    if kind == "set_status":
        return _(
            "the lead moves to the status %(status)s",
            status=readable_code(action.get("status", "")),
        )
    if kind == "create_task":
        return _("a task is created: %(task)s", task=readable_code(action.get("task", "")))
    return _("the lead is reallocated to the organisation a lead field names")


def timer_words(timer: dict[str, Any]) -> str:
    """'If no contact is logged within 10 minutes of business time of ..., it goes ...'."""
    length = words.duration(timer["duration"])
    if timer.get("clock", "business") == "business":
        length = _("%(duration)s of business time", duration=length)
    actions = words.listing([_action_words(a) for a in timer.get("actions") or []])
    cancel = [choices.event_words(e) for e in timer.get("cancelled_by") or []]
    start = choices.event_words(timer.get("starts_on", ""))
    name = readable_code(timer.get("name", ""))
    if cancel:
        return _(
            "%(name)s: once %(start)s, unless %(cancel)s within %(duration)s, %(actions)s.",
            name=name,
            start=start,
            cancel=words.listing(cancel, style="or"),
            duration=length,
            actions=actions,
        )
    return _(
        "%(name)s: %(duration)s after %(start)s, %(actions)s.",
        name=name,
        duration=length,
        start=start,
        actions=actions,
    )


@summary("timers")
def _timers(document: dict[str, Any]) -> str:
    timers = document.get("timers") or []
    if not timers:
        return _("No timers: nothing happens when a lead waits.")
    return " ".join(timer_words(t) for t in timers)


@summary("duplicates")
def _duplicates(document: dict[str, Any]) -> str:
    duplicates = document.get("duplicates") or {}
    keys = duplicates.get("match_keys") or ["phone", "email"]
    rules = duplicates.get("precedence") or [{"rule": "existing_owner_keeps"}]
    same = _(
        "Two leads are the same person when their %(keys)s match.",
        keys=words.listing([choices.value_words(k).lower() for k in keys]),
    )
    settled = _(
        "%(rule)s; the other lead is %(fate)s.",
        rule=choices.value_words(rules[0].get("rule")),
        fate=choices.value_words(rules[0].get("loser", "linked")),
    )
    return f"{same} {settled}"


@summary("outcomes")
def _outcomes(document: dict[str, Any]) -> str:
    outcomes = document.get("outcomes") or {}
    count = len(outcomes.get("codes") or [])
    text = ngettext(
        "Agents record one of %(num)d outcome.", "Agents record one of %(num)d outcomes.", count
    )
    if outcomes.get("exactly_one"):
        text += " " + _("A callback ends with exactly one outcome.")
    return text


@summary("notifications")
def _notifications(document: dict[str, Any]) -> str:
    notifications = document.get("notifications") or {}
    sentences = [
        _(
            "When %(event)s, %(who)s are told on %(channels)s.",
            event=choices.event_words(rule.get("event", "")),
            who=words.listing([choices.value_words(r) for r in rule.get("roles") or []]),
            channels=words.listing(
                [choices.value_words(c) for c in rule.get("channels") or ["in_app"]]
            ),
        )
        for rule in notifications.get("rules") or []
    ]
    announcements = len(notifications.get("announcements") or [])
    if announcements:
        sentences.append(
            ngettext("%(num)d group announcement.", "%(num)d group announcements.", announcements)
        )
    return " ".join(_capitalised(s) for s in sentences) or _("Nobody is told of anything yet.")


@summary("roster")
def _roster(document: dict[str, Any]) -> str:
    roster = document.get("roster") or {}
    if not roster.get("enabled"):
        return _("No monthly roster is sent.")
    text = _(
        "The roster is sent on day %(day)d of each month at %(time)s on %(channel)s.",
        day=int(roster.get("send_day", 1)),
        time=words.time_of_day(roster["send_time"]),
        channel=choices.value_words(roster.get("channel", "whatsapp")),
    )
    if roster.get("confirmation_required", True):
        text += " " + _("Agents receive leads only once they have confirmed it.")
    return text


@summary("tasks")
def _tasks(document: dict[str, Any]) -> str:
    closing = (document.get("tasks") or {}).get("on_lead_closed", "cancel")
    return str(TASKS_ON_CLOSE.get(closing, TASKS_ON_CLOSE["cancel"]))
