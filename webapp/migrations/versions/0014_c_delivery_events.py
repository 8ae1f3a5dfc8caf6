"""account deliveries as events

A lead delivered to an account (L411-1) is now an `account.delivery` event on the account,
which the account's counters count (L411-2), so an AE referral created on the account no
longer counts as a delivery. Leads delivered before are given their event here: every lead
on an account except the referrals a transfer created (attributes.referred_from).

Revision ID: 0014_c
Revises: 0013
Create Date: 2026-12-01 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.types


# revision identifiers, used by Alembic.
revision = '0014_c'
down_revision = '0013'
branch_labels = None
depends_on = None

DELIVERY = 'account.delivery'

leads = sa.table(
    'leads',
    sa.column('id', sa.Integer),
    sa.column('workspace_id', sa.Integer),
    sa.column('account_id', sa.Integer),
    sa.column('created_at', webapp.models.types.UTCDateTime()),
    sa.column('attributes', sa.JSON),
)
audit_events = sa.table(
    'audit_events',
    sa.column('workspace_id', sa.Integer),
    sa.column('actor_id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('subject_type', sa.String),
    sa.column('subject_id', sa.Integer),
    sa.column('before', sa.JSON),
    sa.column('after', sa.JSON),
    sa.column('reason', sa.Text),
    sa.column('created_at', webapp.models.types.UTCDateTime()),
)


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            leads.c.id, leads.c.workspace_id, leads.c.account_id, leads.c.created_at,
            leads.c.attributes,
        ).where(leads.c.account_id.is_not(None))
    ).all()
    events = [
        {
            'workspace_id': row.workspace_id,
            'actor_id': None,
            'action': DELIVERY,
            'subject_type': 'accounts',
            'subject_id': row.account_id,
            'before': None,
            'after': {'lead_id': row.id},
            'reason': 'recorded from the lead when deliveries became events',
            'created_at': row.created_at,
        }
        for row in rows
        if 'referred_from' not in (row.attributes or {})
    ]
    if events:
        op.bulk_insert(audit_events, events)


def downgrade():
    op.execute(audit_events.delete().where(audit_events.c.action == DELIVERY))
