"""indexes the reports read by

Leads by arrival, audit events by action and time, deadlines by due time, per workspace
(issue 15: figures as SQL aggregates over a period).

Revision ID: 0016_reports
Revises: 0015
Create Date: 2026-12-02 06:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_reports'
down_revision = '0016_portal'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index('ix_leads_created', ['workspace_id', 'created_at'], unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_action', ['workspace_id', 'action', 'created_at'], unique=False)
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_deadlines_workspace_due', ['workspace_id', 'due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_workspace_due')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_action')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_created')
