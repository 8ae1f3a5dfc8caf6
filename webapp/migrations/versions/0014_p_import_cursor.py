"""lead import cursor

A lead import commits its cursor (rows handled) and a heartbeat with every row, so a job
killed or timed out mid-file is resumed where it stopped (issue 10 item 9).

Revision ID: 0014_p
Revises: 0014_g
Create Date: 2026-12-01 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.types


# revision identifiers, used by Alembic.
revision = '0014_p'
down_revision = '0014_g'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lead_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rows_done', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('progressed_at', webapp.models.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('lead_imports', schema=None) as batch_op:
        batch_op.drop_column('progressed_at')
        batch_op.drop_column('rows_done')
