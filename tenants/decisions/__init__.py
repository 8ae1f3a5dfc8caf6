"""Decisions: pure functions of (policy, facts, now) that the web app and workers call."""

from tenants.decisions.answers import AnswerChange, may_change_answer
from tenants.decisions.assignment import (
    AssignmentDecision,
    Candidate,
    LeadFacts,
    Receivers,
    choose_assignee,
    receivers_for,
)
from tenants.decisions.cadences import CadenceFacts, RoundDue, is_lost, rounds_due
from tenants.decisions.counters import CounterFacts, tripped_counters
from tenants.decisions.duplicates import DuplicateDecision, LeadRef, resolve_duplicate
from tenants.decisions.gates import GateFacts, GateResult, check_gates, offer_blocked_by
from tenants.decisions.matchkeys import normalise_email, normalise_phone
from tenants.decisions.offers import Interaction, OfferRateSummary, offer_rate_summary
from tenants.decisions.outcomes import (
    OutcomeDecision,
    OutcomeFacts,
    PendingCooldown,
    outcome_effects,
    start_pending_cooldowns,
)
from tenants.decisions.reporting import next_cutoff
from tenants.decisions.roster import RosterFacts, is_active_for_assignment, roster_send_due
from tenants.decisions.timers import (
    DeadlineSpec,
    deadlines_for_event,
    deadlines_on_owner_change,
    ownership_timers,
    timers_cancelled_by,
)

__all__ = [
    "AnswerChange",
    "AssignmentDecision",
    "CadenceFacts",
    "Candidate",
    "CounterFacts",
    "DeadlineSpec",
    "DuplicateDecision",
    "GateFacts",
    "GateResult",
    "Interaction",
    "LeadFacts",
    "LeadRef",
    "OfferRateSummary",
    "OutcomeDecision",
    "OutcomeFacts",
    "PendingCooldown",
    "Receivers",
    "RosterFacts",
    "RoundDue",
    "check_gates",
    "choose_assignee",
    "deadlines_for_event",
    "deadlines_on_owner_change",
    "is_active_for_assignment",
    "is_lost",
    "may_change_answer",
    "next_cutoff",
    "normalise_email",
    "normalise_phone",
    "offer_blocked_by",
    "offer_rate_summary",
    "outcome_effects",
    "ownership_timers",
    "receivers_for",
    "resolve_duplicate",
    "roster_send_due",
    "rounds_due",
    "start_pending_cooldowns",
    "timers_cancelled_by",
    "tripped_counters",
]
