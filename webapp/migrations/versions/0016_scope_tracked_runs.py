"""tracked runs: a policy replay has a heartbeat like a lead import

Both are tracked runs (webapp.models.tracked_run); `progressed_at` is when the run last moved.

Revision ID: 0016_scope
Revises: 0015
Create Date: 2026-12-02 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.types


# revision identifiers, used by Alembic.
revision = '0016_scope'
down_revision = '0016_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('policy_replays', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progressed_at', webapp.models.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('policy_replays', schema=None) as batch_op:
        batch_op.drop_column('progressed_at')
