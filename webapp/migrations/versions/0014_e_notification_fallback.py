"""notification fallback

A message whose channel the workspace has not set up (or whose recipient has no address for
it) goes out on the policy's fallback channel; the row keeps which channel it stood in for,
and why.

Revision ID: 0014_e
Revises: 0014_h
Create Date: 2026-12-01 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_e'
down_revision = '0014_h'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fallback_from', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('fallback_reason', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('fallback_reason')
        batch_op.drop_column('fallback_from')
