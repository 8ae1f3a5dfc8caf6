"""Reporting: the weekly cut-off (CCIMA-7), each advisor's weekly report (CCIMA-8) and the
policy's effective date (CCIMA-14).

The cut-off closes a week: from the previous cut-off (included) to this one (excluded). What
the web app knows about an advisor's leads comes in as `LeadRecord`s; which of them are
incomplete and what the report says are decided here, from the policy alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tenants.calendar import BusinessCalendar
from tenants.policy import Policy
from tenants.policy.common import WEEKDAYS


def next_cutoff(policy: Policy, now: datetime) -> datetime | None:
    """The first weekly cut-off strictly after `now` (UTC), or None without one."""
    cutoff = policy.reporting.weekly_cutoff
    if cutoff is None:
        return None
    cal = BusinessCalendar(policy.calendar)
    today = cal.local(now).date()
    ahead = (WEEKDAYS.index(cutoff.weekday) - today.weekday()) % 7
    for extra in (0, 7):
        day = today + timedelta(days=ahead + extra)
        at = datetime.combine(day, cutoff.time, tzinfo=cal.zone).astimezone(UTC)
        if at > now:
            return at
    raise AssertionError("unreachable")  # pragma: no cover


def previous_cutoff(policy: Policy, now: datetime) -> datetime | None:
    """The last weekly cut-off at or before `now` (UTC): the start of the current week's window."""
    following = next_cutoff(policy, now)
    if following is None:
        return None
    return week_ending(policy, following).start


def policy_in_effect(policy: Policy, now: datetime) -> bool:
    """False before the policy's effective date (CCIMA-14) in the department's zone."""
    start = policy.reporting.effective_from
    return start is None or BusinessCalendar(policy.calendar).local(now).date() >= start


@dataclass(frozen=True)
class Week:
    """The week a cut-off closes, as UTC instants: `start` included, `end` (the cut-off) not."""

    start: datetime
    end: datetime

    def __contains__(self, at: object) -> bool:
        return isinstance(at, datetime) and self.start <= at < self.end


def week_ending(policy: Policy, cutoff_at: datetime) -> Week:
    """The week that the cut-off at `cutoff_at` closes: seven local days back, same wall time
    (so a week across a DST change is 167 or 169 hours, as the department lives it)."""
    cal = BusinessCalendar(policy.calendar)
    local = cal.local(cutoff_at)
    start = datetime.combine(local.date() - timedelta(days=7), local.time(), tzinfo=cal.zone)
    return Week(start.astimezone(UTC), cutoff_at)


@dataclass(frozen=True)
class LeadRecord:
    """What the cut-off knows about one of an advisor's leads (times aware UTC).

    `values` holds the lead's fields by the names the policy's `required_fields` use;
    `status_changes` every recorded move (when, to which status), oldest first.
    """

    lead_id: int
    contact_name: str
    received_at: datetime
    status: str
    rating: str | None = None
    source: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    status_changes: tuple[tuple[datetime, str], ...] = ()
    last_activity_at: datetime | None = None


def status_at(policy: Policy, record: LeadRecord, at: datetime) -> str:
    """The lead's status at `at`: its last move before then, else where it started."""
    before = [status for when, status in record.status_changes if when < at]
    if before:
        return before[-1]
    return policy.intake.initial_status if record.status_changes else record.status


def is_open_at(policy: Policy, record: LeadRecord, at: datetime) -> bool:
    """Received before `at` and not in a status that closes a lead at `at`."""
    return record.received_at < at and (
        status_at(policy, record, at) not in policy.intake.terminal_codes
    )


def _entered(record: LeadRecord, codes: set[str], week: Week) -> bool:
    return any(status in codes and when in week for when, status in record.status_changes)


# --- incomplete leads (CCIMA-7) -------------------------------------------------------------

# Why a lead counts as incomplete at the cut-off, in the order they are listed.
MISSING_FIELDS = "missing_fields"
MISSING_RATING = "missing_rating"
STATUS_NOT_UPDATED = "status_not_updated"
NOT_WORKED_THIS_WEEK = "not_worked_this_week"
INCOMPLETE_REASONS = (MISSING_FIELDS, MISSING_RATING, STATUS_NOT_UPDATED, NOT_WORKED_THIS_WEEK)


@dataclass(frozen=True)
class CompletenessRules:
    """What an open lead must show by the cut-off; `for_policy` derives it from the policy."""

    required_fields: tuple[str, ...] = ()
    rating_required: bool = False
    # The status must have moved past the initial one ("new") by the cut-off.
    status_beyond_initial: bool = True
    # A status change or a logged activity during the week that the cut-off closes.
    worked_every_week: bool = True

    @classmethod
    def for_policy(cls, policy: Policy, **overrides: Any) -> CompletenessRules:
        """The policy's required fields; a rating wherever the policy has a rating scale."""
        defaults: dict[str, Any] = {
            "required_fields": tuple(policy.intake.required_fields),
            "rating_required": bool(policy.intake.rating_scale),
        }
        return cls(**{**defaults, **overrides})


@dataclass(frozen=True)
class IncompleteLead:
    lead_id: int
    contact_name: str
    reasons: tuple[str, ...]
    missing_fields: tuple[str, ...] = ()


def incompleteness(
    policy: Policy, week: Week, record: LeadRecord, rules: CompletenessRules
) -> IncompleteLead | None:
    """Why an open lead is incomplete at the end of `week`, or None when it is complete."""
    if not is_open_at(policy, record, week.end):
        return None
    missing = tuple(name for name in rules.required_fields if not record.values.get(name))
    worked = any(when in week for when, _status in record.status_changes) or (
        record.last_activity_at in week
    )
    found = {
        MISSING_FIELDS: bool(missing),
        MISSING_RATING: rules.rating_required and not record.rating,
        STATUS_NOT_UPDATED: rules.status_beyond_initial
        and status_at(policy, record, week.end) == policy.intake.initial_status,
        NOT_WORKED_THIS_WEEK: rules.worked_every_week and not worked,
    }
    reasons = tuple(reason for reason in INCOMPLETE_REASONS if found[reason])
    if not reasons:
        return None
    return IncompleteLead(record.lead_id, record.contact_name, reasons, missing)


def incomplete_leads(
    policy: Policy,
    week: Week,
    records: Sequence[LeadRecord],
    rules: CompletenessRules | None = None,
) -> list[IncompleteLead]:
    """The advisor's open leads that are not complete at the cut-off, by name."""
    rules = rules or CompletenessRules.for_policy(policy)
    found = (incompleteness(policy, week, r, rules) for r in records)
    return sorted((x for x in found if x), key=lambda x: (x.contact_name.casefold(), x.lead_id))


# --- the weekly report (CCIMA-8) ------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    policy: Policy
    week: Week
    records: Sequence[LeadRecord]
    stages: Mapping[str, str]

    def stage(self, name: str) -> str | None:
        code = self.stages.get(name)
        return code if code in self.policy.intake.status_codes else None

    def top_rated(self) -> list[LeadRecord]:
        """Prospects with the scale's best rating: open at the cut-off or won this week."""
        scale = self.policy.intake.rating_scale
        if not scale:
            return []
        won = self.policy.intake.won_codes
        return sorted(
            (
                r
                for r in self.records
                if r.rating == scale[0]
                and (is_open_at(self.policy, r, self.week.end) or _entered(r, won, self.week))
            ),
            key=lambda r: (r.contact_name.casefold(), r.lead_id),
        )


def _received(f: _Facts) -> int:
    return sum(1 for r in f.records if r.received_at in f.week)


def _in_follow_up(f: _Facts) -> int:
    """Open at the cut-off and past the initial status: prospects being worked."""
    initial = f.policy.intake.initial_status
    return sum(
        1
        for r in f.records
        if is_open_at(f.policy, r, f.week.end) and status_at(f.policy, r, f.week.end) != initial
    )


def _appointments(f: _Facts) -> int | None:
    code = f.stage("appointments_held")
    return None if code is None else sum(1 for r in f.records if _entered(r, {code}, f.week))


def _opportunities_from_appointments(f: _Facts) -> int | None:
    """Opportunities reached this week by leads that had held an appointment before."""
    appointment, opportunity = (
        f.stage("appointments_held"),
        f.stage("sales_opportunities_from_appointments"),
    )
    if appointment is None or opportunity is None:
        return None
    count = 0
    for r in f.records:
        moves = r.status_changes
        for n, (when, status) in enumerate(moves):
            if status == opportunity and when in f.week:
                if any(s == appointment for _w, s in moves[:n]):
                    count += 1
                break
    return count


def _reservations(f: _Facts) -> int:
    return sum(1 for r in f.records if _entered(r, f.policy.intake.won_codes, f.week))


REPORT_FIELDS: dict[str, Callable[[_Facts], Any]] = {
    "leads_received": _received,
    "prospects_in_follow_up": _in_follow_up,
    "appointments_held": _appointments,
    "sales_opportunities_from_appointments": _opportunities_from_appointments,
    "reservations": _reservations,
    "aaa_prospects_count": lambda f: len(f.top_rated()),
    "aaa_prospect_names": lambda f: [r.contact_name for r in f.top_rated()],
}


@dataclass(frozen=True)
class WeeklyReport:
    """One advisor's week: the policy's report fields in its order, leads received by source,
    and the leads incomplete at the cut-off."""

    figures: dict[str, Any]
    received_by_source: dict[str, int]
    incomplete: list[IncompleteLead]


def weekly_report(
    policy: Policy,
    week: Week,
    records: Sequence[LeadRecord],
    *,
    rules: CompletenessRules | None = None,
) -> WeeklyReport:
    """The report of one advisor's leads for `week`; a field this module does not know, or a
    stage the policy maps to no status (`reporting.stage_statuses`), is None."""
    facts = _Facts(policy, week, records, policy.reporting.stage_statuses)
    figures = {
        name: REPORT_FIELDS[name](facts) if name in REPORT_FIELDS else None
        for name in policy.reporting.weekly_report_fields
    }
    by_source = Counter(r.source or "" for r in records if r.received_at in week)
    return WeeklyReport(
        figures, dict(sorted(by_source.items())), incomplete_leads(policy, week, records, rules)
    )
