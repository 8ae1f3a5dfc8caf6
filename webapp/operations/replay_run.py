"""Replay a draft policy over a workspace's recorded leads: gather the facts, run, store.

The facts come in a fixed number of queries whatever the period's size (leads, their
activities, the accounts they were delivered to, and those accounts' deliveries), so a replay
costs four round trips plus the decisions, which run in `tenants.replay`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import aliased

from tenants import replay as engine
from webapp.extensions import db
from webapp.models import Account, Activity, AuditEvent, Lead, PolicyReplay, Workspace
from webapp.operations import policies, replays, tracked_runs
from webapp.operations.accounts import DELIVERY_EVENT
from webapp.operations.activities import events_of
from webapp.tenancy import owned_by, scoped

# Progress is committed every this many leads (each replay runs the leads twice).
PROGRESS_EVERY = 250

LEAD_COLUMNS = (
    Lead.id,
    Lead.created_at,
    Lead.source,
    Lead.lead_type,
    Lead.owner_id,
    Lead.account_id,
    Lead.phone_e164,
    Lead.email_normalised,
    Lead.external_id,
)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _lead_filter(workspace: Workspace, start: datetime, end: datetime) -> Any:
    """Leads of the period, and earlier leads sharing a match key with one of them."""
    inner = aliased(Lead)
    in_period = and_(inner.created_at >= start, inner.created_at < end)

    def shared(column: Any, inner_column: Any) -> Any:
        keys = select(inner_column).where(
            owned_by(inner, workspace), in_period, inner_column.is_not(None)
        )
        return column.in_(keys)

    earlier_match = and_(
        Lead.created_at < start,
        or_(
            shared(Lead.phone_e164, inner.phone_e164),
            shared(Lead.email_normalised, inner.email_normalised),
            shared(Lead.external_id, inner.external_id),
            shared(Lead.account_id, inner.account_id),
        ),
    )
    return or_(and_(Lead.created_at >= start, Lead.created_at < end), earlier_match)


def _period_accounts(workspace: Workspace, start: datetime, end: datetime) -> Select:
    return (
        scoped(Lead, workspace)
        .with_only_columns(Lead.account_id)
        .where(Lead.created_at >= start, Lead.created_at < end, Lead.account_id.is_not(None))
    )


def _contacts(workspace: Workspace, where: Any, as_of: datetime) -> dict[int, list[engine.Contact]]:
    rows = db.session.execute(
        scoped(Activity, workspace)
        .with_only_columns(
            Activity.lead_id, Activity.occurred_at, Activity.channel, Activity.outcome_code
        )
        .join(Lead, Lead.id == Activity.lead_id)
        .where(where, Activity.occurred_at <= as_of)
    )
    contacts: dict[int, list[engine.Contact]] = defaultdict(list)
    for row in rows:
        # The same events a live activity raises, so a replay cancels what logging would.
        contacts[row.lead_id].append(engine.Contact(row.occurred_at, frozenset(events_of(row))))
    return contacts


def _accounts(
    workspace: Workspace, start: datetime, end: datetime
) -> tuple[dict[str, engine.AccountHistory], set[int]]:
    """The period's accounts with their deliveries (the `account.delivery` events recorded on
    them, L411-1), and the ids of the leads those deliveries were."""
    zone = ZoneInfo(workspace.time_zone)
    wanted = _period_accounts(workspace, start, end)
    signups = db.session.execute(
        scoped(Account, workspace)
        .with_only_columns(Account.id, Account.signed_up_on)
        .where(Account.id.in_(wanted))
    ).all()
    deliveries: dict[int, list[datetime]] = defaultdict(list)
    delivered: set[int] = set()
    for account_id, at, after in db.session.execute(
        scoped(AuditEvent, workspace)
        .with_only_columns(AuditEvent.subject_id, AuditEvent.created_at, AuditEvent.after)
        .where(
            AuditEvent.subject_type == Account.__tablename__,
            AuditEvent.action == DELIVERY_EVENT,
            AuditEvent.subject_id.in_(wanted),
            AuditEvent.created_at < end,
        )
        .order_by(AuditEvent.created_at)
    ):
        deliveries[account_id].append(at)
        if isinstance((after or {}).get("lead_id"), int):
            delivered.add(after["lead_id"])
    histories = {
        str(account_id): engine.AccountHistory(
            str(account_id), _local_midnight(day, zone), tuple(deliveries[account_id])
        )
        for account_id, day in signups
    }
    return histories, delivered


def _local_midnight(day: date | None, zone: ZoneInfo) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0), tzinfo=zone)


def gather(
    workspace: Workspace, start: datetime, end: datetime, as_of: datetime
) -> tuple[list[engine.LeadHistory], dict[str, engine.AccountHistory]]:
    """The workspace's recorded leads of [start, end) with their facts (4 queries)."""
    where = _lead_filter(workspace, start, end)
    leads = db.session.execute(
        scoped(Lead, workspace)
        .with_only_columns(*LEAD_COLUMNS)
        .where(where)
        .order_by(Lead.created_at)
    ).all()
    contacts = _contacts(workspace, where, as_of)
    accounts, delivered = _accounts(workspace, start, end)
    histories = [
        engine.LeadHistory(
            lead_id=str(row.id),
            created_at=row.created_at,
            source=row.source,
            lead_type=row.lead_type,
            owner_id=_str(row.owner_id),
            account_id=_str(row.account_id),
            keys={
                "phone": row.phone_e164,
                "email": row.email_normalised,
                "external_id": row.external_id,
                "account": _str(row.account_id),
            },
            contacts=tuple(sorted(contacts.get(row.id, ()), key=lambda c: c.at)),
            context=row.created_at < start,
            delivered=row.id in delivered,
        )
        for row in leads
    ]
    return histories, accounts


class _Progress:
    """Commits the replay's percentage as the two runs advance."""

    def __init__(self, replay_id: int, total: int) -> None:
        self.replay_id, self.total, self.last = replay_id, max(total, 1), -1

    def at(self, offset: int) -> engine.Progress:
        def report(done: int, _total: int) -> None:
            percent = (offset + done) * 100 // self.total
            if self.last < percent < 100:  # 100 is written with the result
                self.last = percent
                replays.record_progress(self.replay_id, percent)

        return report


def compute(replay: PolicyReplay) -> dict[str, Any]:
    """Replay the period under the baseline and the draft; the differences as JSON."""
    # Judged when it was asked for: contacts logged after the period still count.
    as_of = replay.created_at
    workspace = db.session.get(Workspace, replay.workspace_id)
    histories, accounts = gather(workspace, replay.period_start, replay.period_end, as_of)
    progress = _Progress(replay.id, 2 * len(histories))
    runs = []
    for offset, version in enumerate((replay.baseline_version, replay.draft_version)):
        runs.append(
            engine.replay(
                policies.policy_of(version),
                histories,
                as_of,
                accounts,
                locale=workspace.locale,
                on_progress=progress.at(offset * len(histories)),
                progress_every=PROGRESS_EVERY,
            )
        )
    return engine.compare(*runs).to_json()


def execute(replay_id: int) -> bool:
    """Run a queued replay to its result; False if it is unknown, done or failed already."""
    return tracked_runs.execute(
        PolicyReplay, replay_id, compute, lambda result: replays.finish(replay_id, result)
    )
