"""commissions on the won moves, the contacted leads' index

The advisor's and the manager's commissions of a won deal (CCIMA-13) as columns of the
status move the reports read, so the commission pool sums narrow rows instead of the audit
rows' JSON (issue 15); backfilled from the audit trail's status events. And a partial index
of the contacted leads' facts, which speed to lead reads on SQLite in one pass.

Revision ID: 0020_reports
Revises: 0019_rspeed
Create Date: 2026-12-03 07:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

from webapp.models.types import UTCDateTime
from webapp.operations.lead_facts import move_amount

# revision identifiers, used by Alembic.
revision = '0020_reports'
down_revision = '0019_rspeed'
branch_labels = None
depends_on = None

COMMISSIONS = ('advisor_commission', 'manager_commission')
STATUS_ACTIONS = ('lead.status', 'lead.invalidated')

audit = sa.table(
    'audit_events',
    sa.column('action', sa.String),
    sa.column('subject_type', sa.String),
    sa.column('subject_id', sa.Integer),
    sa.column('after', sa.JSON),
    sa.column('created_at', UTCDateTime()),
)
moves = sa.table(
    'lead_status_moves',
    sa.column('lead_id', sa.Integer),
    sa.column('status', sa.String),
    sa.column('moved_at', UTCDateTime()),
    sa.column('advisor_commission', sa.Numeric(asdecimal=False)),
    sa.column('manager_commission', sa.Numeric(asdecimal=False)),
)


CONTACTED = 'first_contact_seconds IS NOT NULL'


def upgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index(
            'ix_leads_contacted',
            ['workspace_id', 'arrived_on', 'owner_id', 'team_id', 'source',
             'first_contact_seconds'],
            unique=False,
            sqlite_where=sa.text(CONTACTED),
            postgresql_where=sa.text(CONTACTED),
        )
    with op.batch_alter_table('lead_status_moves', schema=None) as batch_op:
        batch_op.add_column(sa.Column('advisor_commission', sa.Numeric(asdecimal=False)))
        batch_op.add_column(sa.Column('manager_commission', sa.Numeric(asdecimal=False)))
    bind = op.get_bind()
    events = bind.execute(
        sa.select(audit.c.subject_id, audit.c.after, audit.c.created_at).where(
            audit.c.subject_type == 'leads', audit.c.action.in_(STATUS_ACTIONS)
        )
    )
    for lead_id, after, created_at in events.all():
        after = after or {}
        amounts = {name: move_amount(after.get(name)) for name in COMMISSIONS}
        if not isinstance(after.get('status'), str) or not any(amounts.values()):
            continue
        # 0019 wrote each move at its audit event's moment: that is the move of this event.
        bind.execute(
            sa.update(moves)
            .where(
                moves.c.lead_id == lead_id,
                moves.c.status == after['status'][:60],
                moves.c.moved_at == created_at,
            )
            .values(**amounts)
        )


def downgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_contacted')
    with op.batch_alter_table('lead_status_moves', schema=None) as batch_op:
        batch_op.drop_column('manager_commission')
        batch_op.drop_column('advisor_commission')
