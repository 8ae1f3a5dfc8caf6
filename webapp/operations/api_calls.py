"""What an API key or a webhook does, each in one transaction with an audit event naming the
caller (ALL-3): the key has no user, so the event's reason says which key it was."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from webapp.extensions import db
from webapp.models import (
    Account,
    ApiKey,
    IntakeReceipt,
    Lead,
    Task,
    TaskState,
    User,
    WebhookSource,
    Workspace,
)
from webapp.tenancy import scoped

from . import accounts, activities, assignment, audit, intake, outcomes, tasks
from .unit import operation


def key_reason(key: ApiKey) -> str:
    return f"API key {key.name!r} ({key.prefix}...)"


def hook_reason(source: WebhookSource) -> str:
    return f"webhook {source.name!r} ({source.source_code})"


def _note(workspace_id: int, action: str, subject: Any, via: str, **after: Any) -> None:
    audit.record(workspace_id, f"api.{action}", subject, actor=None, after=after, reason=via)


@operation
def receive_lead(
    workspace: Workspace,
    request: intake.IntakeRequest,
    *,
    via: str,
    idempotency_key: str | None,
    fingerprint: str | None = None,
) -> intake.IntakeResult:
    """intake.receive_lead for a machine caller; a retry writes nothing. The body's
    `fingerprint` is kept with its Idempotency-Key: the key sent again with a different body
    is refused (IntakeInvalid), never answered with the first lead."""
    result = intake.receive_lead(workspace, request, actor=None, idempotency_key=idempotency_key)
    if idempotency_key and fingerprint:
        _match_fingerprint(workspace, result, idempotency_key, fingerprint)
    if result.created or result.joined:
        _note(workspace.id, "lead_received", result.lead, via, joined=result.joined)
    return result


def _match_fingerprint(
    workspace: Workspace, result: intake.IntakeResult, key: str, fingerprint: str
) -> None:
    if result.lead.intake_key == key:
        holder: Lead | IntakeReceipt | None = result.lead
        known = result.lead.intake_fingerprint
    else:  # the key's request joined a file (BDC-7)
        holder = db.session.scalar(
            scoped(IntakeReceipt, workspace).where(IntakeReceipt.key == f"key:{key}")
        )
        known = holder.fingerprint if holder else None
    fresh = result.created or (result.joined and result.decision is not None)
    if fresh and holder is not None:
        if isinstance(holder, Lead):
            holder.intake_fingerprint = fingerprint
        else:
            holder.fingerprint = fingerprint
    elif known is not None and known != fingerprint:
        raise intake.IntakeInvalid(
            [("Idempotency-Key", "already used for a different request; use a new key")]
        )


@operation
def work_lead(
    lead: Lead,
    *,
    via: str,
    channel: str,
    outcome: str | None,
    note: str,
    facts: Iterable[str],
) -> None:
    """An activity, with the outcome's effects when it names one (L411-5..11)."""
    if outcome:
        outcomes.record_outcome(
            lead, outcome, actor=None, note=note, channel=channel, true_facts=facts
        )
    else:
        activities.log_activity(lead, channel, actor=None, note=note)
    _note(lead.workspace_id, "activity_logged", lead, via, channel=channel, outcome=outcome)


@operation
def assign_lead(lead: Lead, owner: User, *, via: str) -> None:
    assignment.reassign(lead, owner, actor=None, reason=via)


@operation
def set_status(
    lead: Lead, status: str, *, via: str, revenue: str | None, commissions: dict | None = None
) -> None:
    outcomes.change_status(
        lead, status, actor=None, reason=via, revenue=revenue, commissions=commissions
    )


@operation
def upsert_account(
    workspace: Workspace,
    external_ref: str,
    *,
    via: str,
    name: str | None,
    signed_up_on: date | None,
    facts: dict[str, Any],
    cards_closed_at: datetime | None = None,
) -> tuple[Account, bool]:
    """accounts.upsert_account with the gate facts as the caller set them."""
    account, created = accounts.upsert_account(
        workspace,
        external_ref,
        actor=None,
        name=name,
        signed_up_on=signed_up_on,
        flags=facts["set"],
        fields=facts["fields"],
        amounts=facts["amounts"],
        open_cards=facts["open_cards"],
        cards_closed_at=cards_closed_at,
    )
    _note(workspace.id, "account_upserted", account, via, created=created)
    return account, created


@operation
def deliver(
    account: Account, *, via: str, sent_by: User | None = None, **lead: Any
) -> tuple[intake.IntakeResult, list[str]]:
    """A lead sent to the account (L411-1) by `sent_by`, its counters checked (L411-2)."""
    result, flags = accounts.record_delivery(account, actor=None, sent_by=sent_by, **lead)
    if result.created:
        _note(account.workspace_id, "delivery_recorded", result.lead, via, flags=flags)
    return result, flags


@operation
def close_task(task: Task, state: TaskState, *, by: User | None, via: str, note: str) -> None:
    """Done or Cancel for `by` (whom the caller checked may close it) or a manager's key."""
    tasks.close_by_key(task, state, by=by, via=via, note=note)
    _note(task.workspace_id, "task_closed", task, via, state=state.value, by=by.id if by else None)
