"""member fields the policy engine reads

Telegram chat id per person; away-until, capacity, line (first/second) and manager per
membership (issue 12 item 2, TEL-8, BDC-4).

Revision ID: 0015
Revises: 0014_p
Create Date: 2026-12-02 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.types


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014_p'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('telegram_chat_id', sa.String(length=64), nullable=True))
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('away_until', webapp.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('line', sa.String(length=10), server_default='first', nullable=False))
        batch_op.add_column(sa.Column('manager_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_memberships_manager_user_id_users', 'users', ['manager_user_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint('fk_memberships_manager_user_id_users', type_='foreignkey')
        batch_op.drop_column('manager_user_id')
        batch_op.drop_column('line')
        batch_op.drop_column('capacity')
        batch_op.drop_column('away_until')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('telegram_chat_id')
