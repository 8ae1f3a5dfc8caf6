"""Migration 0014_c: deliveries recorded before deliveries became events get their event."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import delete, select

from tenants.profiles import load_profile
from webapp.extensions import db
from webapp.models import AuditEvent
from webapp.operations import accounts, leads

MIGRATION = Path(__file__).parent.parent / "webapp/migrations/versions/0014_c_delivery_events.py"


def _run_upgrade() -> None:
    spec = importlib.util.spec_from_file_location("delivery_events", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with (
        db.engine.begin() as connection,
        Operations.context(MigrationContext.configure(connection)),
    ):
        module.upgrade()


def test_l411_2_earlier_deliveries_become_events_and_referrals_do_not(make_workspace):
    """L411-2, issue 9 item 3: after the upgrade an account's counter finds the leads delivered
    to it before, and not the AE referral a transfer put on it."""
    workspace = make_workspace(policy_document=load_profile("locals411_cpt_ae"))
    account, _ = accounts.upsert_account(workspace, "BO-1", name="Harbor Plumbing", actor=None)
    delivered = leads.create_lead(
        workspace, contact_name="Customer 1", actor=None, account_id=account.id
    )
    leads.create_lead(
        workspace,
        contact_name="Customer 1",
        actor=None,
        account_id=account.id,
        attributes={"referred_from": delivered.id},
    )
    db.session.execute(delete(AuditEvent).where(AuditEvent.action == "account.delivery"))
    db.session.commit()

    _run_upgrade()

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.delivery")
    ).all()
    assert [(e.subject_id, e.after, e.created_at) for e in events] == [
        (account.id, {"lead_id": delivered.id}, delivered.created_at)
    ]
