"""Rows as API bodies, a page of leads in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tenants import Policy
from webapp.extensions import db
from webapp.models import Account, Deadline, DeadlineState, Lead, PolicyVersion, Workspace
from webapp.operations import accounts, deadlines, policies

from .schemas import AccountOut, DeadlineOut, LeadOut, Person, TeamOut


def leads_out(workspace: Workspace, rows: list[Lead], *, joined: bool = False) -> list[LeadOut]:
    """`rows` as LeadOut; their owner, team and account should be eagerly loaded."""
    ids = [lead.id for lead in rows]
    due: dict[int, list[DeadlineOut]] = defaultdict(list)
    invalidated: dict[int, list[int]] = defaultdict(list)
    versions: dict[int, int] = {}
    if ids:
        due = _pending_deadlines(ids)
        invalid = policies.active_policy(workspace).duplicates.invalid_status
        for winner, loser in db.session.execute(
            select(Lead.duplicate_of_id, Lead.id)
            .where(Lead.duplicate_of_id.in_(ids), Lead.status == invalid)
            .order_by(Lead.id)
        ):
            invalidated[winner].append(loser)
        version_ids = {lead.policy_version_id for lead in rows if lead.policy_version_id}
        if version_ids:
            versions = dict(
                db.session.execute(
                    select(PolicyVersion.id, PolicyVersion.number).where(
                        PolicyVersion.id.in_(version_ids)
                    )
                ).all()
            )
    return [
        _lead(lead, due[lead.id], invalidated[lead.id], versions, joined=joined) for lead in rows
    ]


def _lead(
    lead: Lead,
    deadlines: list[DeadlineOut],
    invalidated: list[int],
    versions: dict[int, int],
    *,
    joined: bool,
) -> LeadOut:
    attributes = dict(lead.attributes or {})
    return LeadOut(
        id=lead.id,
        contact_name=lead.contact_name,
        phone=lead.phone_e164,
        email=lead.email_normalised,
        company=lead.company,
        source=lead.source,
        channel=attributes.get("channel"),
        status=lead.status,
        owner=Person(id=lead.owner.id, name=lead.owner.name) if lead.owner else None,
        team=TeamOut(id=lead.team.id, name=lead.team.name, code=lead.team.code)
        if lead.team
        else None,
        type=lead.lead_type,
        rating=lead.rating,
        account_ref=lead.account.external_ref if lead.account else None,
        external_id=lead.external_id,
        duplicate_of=lead.duplicate_of_id,
        invalidated=invalidated,
        deadlines=deadlines,
        policy_version=versions.get(lead.policy_version_id),
        attributes=attributes,
        joined=joined,
        created_at=lead.created_at,
        updated_at=lead.updated_at,
    )


def lead_out(workspace: Workspace, lead: Lead, *, joined: bool = False) -> LeadOut:
    return leads_out(workspace, [lead], joined=joined)[0]


def new_lead_out(workspace: Workspace, lead: Lead, invalidated: list[Lead]) -> LeadOut:
    """A lead intake has just created, described inside intake's transaction.

    Everything but its deadlines is already in the session (the leads it invalidated, the
    policy version that decided it), so this costs one query where `lead_out` after the
    commit would reload every row.
    """
    version = workspace.active_policy_version
    numbers = {version.id: version.number} if version is not None else {}
    tracked = deadlines.tracked_deadlines(lead)
    if tracked is None:
        due = _pending_deadlines([lead.id])[lead.id]
    else:  # every deadline it has was made in this transaction: the same list, no query
        due = [
            DeadlineOut(kind=d.kind, due_at=d.due_at)
            for d in sorted(tracked, key=lambda d: (d.due_at, d.id))
            if d.state == DeadlineState.PENDING and d.kind != deadlines.REMINDER
        ]
    return _lead(lead, due, [x.id for x in invalidated], numbers, joined=False)


def _pending_deadlines(lead_ids: list[int]) -> dict[int, list[DeadlineOut]]:
    due: dict[int, list[DeadlineOut]] = defaultdict(list)
    for lead_id, kind, due_at in db.session.execute(
        select(Deadline.lead_id, Deadline.kind, Deadline.due_at)
        .where(
            Deadline.lead_id.in_(lead_ids),
            Deadline.state == DeadlineState.PENDING,
            Deadline.kind != deadlines.REMINDER,  # a nudge before a deadline, not one itself
        )
        .order_by(Deadline.due_at, Deadline.id)
    ):
        due[lead_id].append(DeadlineOut(kind=kind, due_at=due_at))
    return due


def declared_facts(facts: dict[str, Any], policy: Policy) -> dict[str, bool | float | str | None]:
    """The policy's account facts (`account_facts`) with their values on the account."""
    read = {
        "flag": lambda name: name in facts["set"],
        "field": lambda name: facts["fields"].get(name),
        "amount": lambda name: float(facts["amounts"].get(name, 0)),
    }
    return {fact.name: read[fact.kind](fact.name) for fact in policy.account_facts}


def account_out(account: Account, policy: Policy) -> AccountOut:
    facts = accounts.facts_of(account)
    return AccountOut(
        id=account.id,
        external_ref=account.external_ref,
        name=account.name,
        signed_up_on=account.signed_up_on,
        flags=sorted(facts["set"]),
        do_not_upsell="do_not_upsell" in facts["set"],
        not_meeting_criteria="not_meeting_criteria" in facts["set"],
        cancelled=facts["fields"].get("account_status") in CANCELLED,
        handled_by=facts["fields"].get("handled_by"),
        pending_balance=float(facts["amounts"].get("pending_balance", 0)),
        open_cards=sorted(facts["open_cards"]),
        facts=declared_facts(facts, policy),
        cooldowns={k: datetime.fromisoformat(v) for k, v in facts["cooldowns"].items()},
        created_at=account.created_at,
        updated_at=account.updated_at,
    )


CANCELLED = ("canceled", "cdtnp")
