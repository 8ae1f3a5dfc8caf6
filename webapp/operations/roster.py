"""The monthly roster (CCIMA-3, CCIMA-4): planning it, sending it, confirming it.

Managers plan who is on this month's and next month's roster (RosterEntry rows). At the
policy's send day and time the `roster.send` clock puts each planned advisor on the month's
roster (Membership.roster_month, unconfirmed, so not yet active for assignment) and queues
their message: who is on call that month and a signed link to confirm. Confirming, by the
link or by a WhatsApp reply, makes the advisor active and, when the policy says so, sends them
how to sign in. Each message has an idempotency key per (membership, month): a re-fired clock
or a second confirmation sends nothing twice.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from tenants import Policy
from tenants.decisions.matchkeys import normalise_phone
from tenants.decisions.roster import (
    ROSTER_CONFIRMED,
    ROSTER_SENT,
    is_confirmation,
    next_roster_send_at,
    roster_gone_out,
    roster_message,
    roster_month,
    upcoming_roster_months,
)
from tenants.errors import Refusal
from tenants.markers import N_
from webapp import roster_links as links
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Membership, Role, RosterEntry, User, Workspace
from webapp.tenancy import owned_by

from . import audit, notifications, policies, recurring, users
from .assignment import lock_workspace
from .unit import operation

CLOCK = "roster.send"
ROSTER_ROLES = (Role.AGENT,)


class RosterRefused(ValueError):
    """A confirmation of a roster that is not the member's current one."""


# --- reading ---------------------------------------------------------------------------


def agents(workspace: Workspace) -> list[Membership]:
    """The members who can be on the workspace's roster, by name."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .options(joinedload(Membership.user))
            .where(owned_by(Membership, workspace), Membership.role.in_(ROSTER_ROLES))
            .order_by(User.name, Membership.id)
        )
    )


def planned(workspace: Workspace, month: date) -> list[RosterEntry]:
    """`month`'s roster as planned, by name."""
    return list(
        db.session.scalars(
            select(RosterEntry)
            .join(Membership, Membership.id == RosterEntry.membership_id)
            .join(User, User.id == Membership.user_id)
            .options(joinedload(RosterEntry.membership).joinedload(Membership.user))
            .where(owned_by(RosterEntry, workspace), RosterEntry.month == month)
            .order_by(User.name, Membership.id)
        )
    )


# --- planning --------------------------------------------------------------------------


@operation
def plan_month(
    workspace: Workspace, month: date, members: list[Membership], *, actor: User | None
) -> tuple[int, int]:
    """Make `members` the month's roster; returns (added, removed).

    Planned before the send, it is what goes out; changed after the month's roster went
    out, it takes effect at once: an added advisor is sent it now, a removed one is off.
    """
    policy = policies.active_policy(workspace)
    moment = now()
    if month not in upcoming_roster_months(policy, moment):
        raise UserError("month", Refusal(N_("plan this month's or next month's roster")))
    if any(m.workspace_id != workspace.id or m.role not in ROSTER_ROLES for m in members):
        raise UserError("members", Refusal(N_("only the workspace's agents can be on its roster")))
    # Serialised with another manager's save and with the clock sending this very roster.
    lock_workspace(workspace.id)
    current = {entry.membership_id: entry for entry in planned(workspace, month)}
    wanted = {member.id: member for member in members}
    added = [member for member_id, member in wanted.items() if member_id not in current]
    removed = [entry for member_id, entry in current.items() if member_id not in wanted]
    for member in added:
        db.session.add(RosterEntry(workspace_id=workspace.id, membership_id=member.id, month=month))
        _audit_plan(member, month, True, actor)
    for entry in removed:
        db.session.delete(entry)
        _audit_plan(entry.membership, month, False, actor)
    db.session.flush()
    if roster_gone_out(policy, month, moment):
        for entry in removed:
            _take_off(entry.membership, month, actor)
        _send(workspace, policy, month, added)
    return len(added), len(removed)


def _audit_plan(member: Membership, month: date, on_roster: bool, actor: User | None) -> None:
    audit.record(
        member.workspace_id,
        "roster.planned",
        member,
        actor=actor,
        after={"month": month.isoformat(), "user": member.user.email, "on_roster": on_roster},
    )


def _take_off(member: Membership, month: date, actor: User | None) -> None:
    if member.roster_month != month:
        return
    member.roster_month, member.roster_confirmed_at = None, None
    audit.record(
        member.workspace_id, "membership.roster", member, actor=actor, after={"month": None}
    )


# --- sending ---------------------------------------------------------------------------


@operation
def send_month(workspace: Workspace, month: date) -> int:
    """Send `month`'s roster to everyone planned on it; returns how many messages were new."""
    policy = policies.active_policy(workspace)
    if not policy.roster.enabled:
        return 0
    members = [entry.membership for entry in planned(workspace, month)]
    sent = _send(workspace, policy, month, members)
    audit.record(
        workspace.id,
        "roster.sent",
        workspace,
        actor=None,
        after={"month": month.isoformat(), "planned": len(members), "new_messages": sent},
    )
    return sent


def _send(workspace: Workspace, policy: Policy, month: date, members: list[Membership]) -> int:
    if not members:
        return 0
    names = ", ".join(entry.membership.user.name for entry in planned(workspace, month))
    message = roster_message(policy, ROSTER_SENT)
    queued = 0
    for member in members:
        if member.roster_month != month:  # a re-fire must not undo a confirmation
            users.put_on_roster(member, month, confirmed_at=None, actor=None)
        payload = {"month": month.isoformat(), "name": member.user.name, "roster": names}
        if policy.roster.confirmation_required:
            payload["link"] = links.confirmation_link(workspace, member, month)
        row = notifications.queue_message(
            workspace.id,
            member.user,
            message.channel,
            message.template,
            payload,
            key=f"roster:{member.id}:{month.isoformat()}",
        )
        queued += row is not None
    return queued


@recurring.clock(CLOCK, next_at=next_roster_send_at)
def _send_when_due(workspace: Workspace, deadline) -> None:
    """The policy's send instant: this month's roster goes out (CCIMA-3)."""
    policy = policies.active_policy(workspace)
    send_month(workspace, roster_month(policy, deadline.due_at))


# --- confirming ------------------------------------------------------------------------


def confirmable(member: Membership, month: date) -> bool:
    """Whether `month` is both the member's roster and the current month."""
    policy = policies.active_policy(member.workspace)
    return member.roster_month == month and roster_month(policy, now()) == month


@operation
def confirm(member: Membership, month: date, *, via: str) -> bool:
    """Record that `member` confirmed `month`'s roster; False if they already had.

    Refused (RosterRefused, nothing changed) unless `month` is both the member's roster and
    the current month. Then, when the policy says so, the access details go out (CCIMA-4).
    """
    if not confirmable(member, month):
        raise RosterRefused(f"{month:%Y-%m} is not this member's current roster")
    workspace = member.workspace
    policy = policies.active_policy(workspace)
    # Compare-and-set: a link and a WhatsApp reply arriving together confirm once.
    changed = db.session.execute(
        update(Membership)
        .where(
            Membership.id == member.id,
            Membership.roster_month == month,
            Membership.roster_confirmed_at.is_(None),
        )
        .values(roster_confirmed_at=now())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(member)
    if not changed:
        return False
    audit.record(
        workspace.id,
        "roster.confirmed",
        member,
        actor=member.user,
        after={"month": month.isoformat(), "via": via},
    )
    if policy.roster.access_details_after_confirmation:
        _send_access_details(workspace, policy, member, month)
    return True


def _send_access_details(
    workspace: Workspace, policy: Policy, member: Membership, month: date
) -> None:
    message = roster_message(policy, ROSTER_CONFIRMED)
    payload = {
        "month": month.isoformat(),
        "workspace": workspace.name,
        "email": member.user.email,
        "link": links.absolute_url("workspace.dashboard", workspace=workspace.slug),
    }
    notifications.queue_message(
        workspace.id,
        member.user,
        message.channel,
        message.template,
        payload,
        key=f"roster-access:{member.id}:{month.isoformat()}",
    )


# What a WhatsApp reply came to; the webhook logs it.
CONFIRMED, ALREADY_CONFIRMED = "confirmed", "already_confirmed"
UNKNOWN_SENDER, NOT_A_CONFIRMATION, NOT_ON_ROSTER = (
    "unknown_sender",
    "not_a_confirmation",
    "not_on_roster",
)


def confirm_by_reply(workspace: Workspace, sender_e164: str, reply: str | None) -> str:
    """Confirm the current roster of the member whose phone sent `reply`, if it confirms."""
    member = member_by_phone(workspace, sender_e164)
    if member is None:
        return UNKNOWN_SENDER
    if not is_confirmation(reply):
        return NOT_A_CONFIRMATION
    month = roster_month(policies.active_policy(workspace), now())
    try:
        return CONFIRMED if confirm(member, month, via="whatsapp") else ALREADY_CONFIRMED
    except RosterRefused:
        return NOT_ON_ROSTER


def member_by_phone(workspace: Workspace, e164: str) -> Membership | None:
    """The workspace member whose phone is `e164`, preferring one on a roster."""
    found = [
        member
        for member in db.session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .options(joinedload(Membership.user))
            .where(owned_by(Membership, workspace), User.phone.is_not(None))
            .order_by(Membership.id)
        )
        if normalise_phone(member.user.phone, workspace.country) == e164
    ]
    return next((m for m in found if m.roster_month is not None), found[0] if found else None)
