"""session epoch

Each user's session generation: a sign-in is valid only while its epoch is the user's, so
signing out, changing the password or deactivating the user ends every copy of the cookie.

Revision ID: 0014_g
Revises: 0014_a
Create Date: 2026-12-01 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_g'
down_revision = '0014_a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
