"""lead status moves the reports count

Each move of a lead to a status (its reason, a won deal's revenue) as a narrow row written by
the status change, with the covering index conversion, leads lost and won revenue read
instead of the audit rows' JSON (issue 15: a year of 1 M leads in under a second); backfilled
from the audit trail's status events.

Revision ID: 0019_rspeed
Revises: 0018_reports
Create Date: 2026-12-02 19:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

from webapp.models.types import UTCDateTime
from webapp.operations.lead_facts import move_amount

# revision identifiers, used by Alembic.
revision = '0019_rspeed'
down_revision = '0018_reports'
branch_labels = None
depends_on = None

BATCH = 5000
STATUS_ACTIONS = ('lead.status', 'lead.invalidated')

audit = sa.table(
    'audit_events',
    sa.column('id', sa.Integer),
    sa.column('workspace_id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('subject_type', sa.String),
    sa.column('subject_id', sa.Integer),
    sa.column('after', sa.JSON),
    sa.column('reason', sa.Text),
    sa.column('created_at', UTCDateTime()),
)
leads = sa.table('leads', sa.column('id', sa.Integer))


def upgrade():
    moves = op.create_table(
        'lead_status_moves',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=60), nullable=False),
        sa.Column('moved_at', UTCDateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('revenue', sa.Numeric(asdecimal=False), nullable=True),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    _backfill(op.get_bind(), moves)
    with op.batch_alter_table('lead_status_moves', schema=None) as batch_op:
        batch_op.create_index(
            'ix_lead_status_moves_lead_id', ['lead_id'], unique=False
        )
        batch_op.create_index(
            'ix_lead_status_moves_workspace_id', ['workspace_id'], unique=False
        )
        batch_op.create_index(
            'ix_status_moves_report',
            ['workspace_id', 'moved_at', 'status', 'lead_id', 'revenue'],
            unique=False,
        )


def _backfill(bind, moves):
    query = (
        sa.select(
            audit.c.id, audit.c.workspace_id, audit.c.subject_id, audit.c.after,
            audit.c.reason, audit.c.created_at,
        )
        .join(leads, leads.c.id == audit.c.subject_id)
        .where(audit.c.subject_type == 'leads', audit.c.action.in_(STATUS_ACTIONS))
        .order_by(audit.c.id)
    )
    rows = bind.execute(query).all()
    for start in range(0, len(rows), BATCH):
        params = []
        for _, workspace_id, lead_id, after, reason, created_at in rows[start:start + BATCH]:
            after = after or {}
            if not isinstance(after.get('status'), str):
                continue
            params.append({
                'workspace_id': workspace_id,
                'lead_id': lead_id,
                'status': after['status'][:60],
                'moved_at': created_at,
                'reason': reason or '',
                'revenue': move_amount(after.get('revenue')),
            })
        if params:
            bind.execute(sa.insert(moves), params)


def downgrade():
    with op.batch_alter_table('lead_status_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_status_moves_report')
        batch_op.drop_index('ix_lead_status_moves_workspace_id')
        batch_op.drop_index('ix_lead_status_moves_lead_id')
    op.drop_table('lead_status_moves')
