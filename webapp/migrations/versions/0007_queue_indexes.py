"""queue indexes: earliest pending deadline per lead, a team's open tasks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 20:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index(
            'ix_deadlines_lead_due', ['workspace_id', 'lead_id', 'state', 'due_at'], unique=False
        )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(
            'ix_tasks_team', ['workspace_id', 'team_id', 'state', 'due_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_team')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_lead_due')
