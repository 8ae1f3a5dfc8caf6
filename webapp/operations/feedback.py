"""Feedback (CPB-4): a partner flags a problem with a lead within the window; the agency answers.

The policy's `records.kinds.feedback.categories` are the reasons; a timer of the policy whose
breach flag is `feedback_window_closed` is the window: once it has fired no feedback is taken,
and feedback given stops it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from tenants import Policy
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Lead, LeadFeedback, Role, User

from . import audit, deadlines, events, notifications, policies
from .opportunities import StageRefused
from .unit import operation

KIND = "feedback"
WINDOW_FLAG = "feedback_window_closed"


def reasons(policy: Policy) -> list[str]:
    kind = policy.records.kinds.get(KIND)
    return list(kind.categories) if kind and kind.enabled else []


# Who answers feedback when the policy's `answered_by` names no workspace role: the agency's
# staff (CPB-4: CPB reads and answers it). Partners give feedback; they never answer it.
DEFAULT_ANSWERERS = frozenset({Role.ADMIN, Role.DIRECTOR, Role.MANAGER})
ANSWERING_ROLES = frozenset(Role) - {Role.PARTNER}


class NotAnAnswerer(Exception):
    """The member's role is not one the policy lets answer feedback (CPB-4)."""


def answerers(policy: Policy) -> frozenset[Role]:
    """The workspace roles the policy's `records.kinds.feedback.answered_by` names (CPB-4);
    codes that name no such role are ignored, and none at all means the agency's staff."""
    kind = policy.records.kinds.get(KIND)
    named = {Role(code) for code in (kind.answered_by if kind else []) if code in ANSWERING_ROLES}
    return frozenset(named) or DEFAULT_ANSWERERS


def window_timers(policy: Policy) -> set[str]:
    """The policy's timers that are the feedback window (their breach closes it)."""
    return {
        t.name
        for t in policy.timers
        if any(getattr(a, "flag", None) == WINDOW_FLAG for a in t.actions)
    }


def window_closed(lead: Lead, policy: Policy) -> bool:
    names = window_timers(policy)
    if not names:
        return False
    return (
        db.session.scalar(
            select(Deadline.id).where(
                Deadline.lead_id == lead.id,
                Deadline.kind.in_(sorted(names)),
                Deadline.state == DeadlineState.FIRED,
            )
        )
        is not None
    )


@operation
def give(lead: Lead, reason: str, comment: str, *, actor: User | None) -> LeadFeedback:
    """Record a partner's feedback on `lead`; the agency is told as the policy's rules say."""
    policy = policies.active_policy(lead.workspace)
    bad: dict[str, str] = {}
    allowed = reasons(policy)
    if reason not in allowed:
        bad["reason"] = _("Choose one of: %(allowed)s.", allowed=", ".join(allowed))
    if not comment.strip():
        bad["comment"] = _("Say what the problem is.")
    if window_closed(lead, policy):
        bad["reason"] = _("The feedback window for this lead has closed.")
    if bad:
        raise StageRefused(bad)
    feedback = LeadFeedback(
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        reason=reason,
        comment=comment.strip()[:4000],
        author_id=actor.id if actor else None,
    )
    db.session.add(feedback)
    audit.record(lead.workspace_id, "feedback.given", lead, actor=actor, after={"reason": reason})
    for pending in deadlines.pending_of(lead.id, window_timers(policy)).values():
        deadlines.cancel(pending, reason="feedback given")
    events.publish(lead, "feedback.created", actor=actor, context={"reason": reason})
    return feedback


@operation
def answer(feedback: LeadFeedback, text: str, *, actor: User, role: Role) -> None:
    """The agency answers open feedback; its author is told in the app. Only a member whose
    `role` the policy lets answer may (CPB-4), else NotAnAnswerer."""
    if role not in answerers(policies.active_policy(feedback.lead.workspace)):
        raise NotAnAnswerer(role)
    if not text.strip():
        raise StageRefused({"answer": _("Write an answer.")})
    feedback.answer, feedback.status = text.strip()[:4000], "answered"
    feedback.answered_by_id, feedback.answered_at = actor.id, now()
    lead = feedback.lead
    audit.record(lead.workspace_id, "feedback.answered", lead, actor=actor)
    if feedback.author is not None:
        notifications.queue_for(
            lead.workspace_id,
            [feedback.author],
            ["in_app"],
            "feedback_answered",
            {"lead_id": lead.id, "contact_name": lead.contact_name},
            key=lambda person, channel: f"feedback:{feedback.id}:answered:{person.id}:{channel}",
        )
