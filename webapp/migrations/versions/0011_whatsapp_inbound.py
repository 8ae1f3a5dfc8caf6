"""whatsapp inbound secrets and the planned roster

Channel settings gain the WhatsApp app secret and verify token (the inbound webhook Meta
calls with advisors' replies); roster_entries holds who is on which month's roster (CCIMA-3).

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.types


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('channel_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('app_secret', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('verify_token', sa.String(length=256), nullable=True))

    op.create_table('roster_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('created_at', webapp.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_roster_entries_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_roster_entries_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entries')),
    sa.UniqueConstraint('membership_id', 'month', name=op.f('uq_roster_entries_membership_id_month'))
    )
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entries_workspace_id'), ['workspace_id'], unique=False)


def downgrade():
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_entries_workspace_id'))

    op.drop_table('roster_entries')

    with op.batch_alter_table('channel_settings', schema=None) as batch_op:
        batch_op.drop_column('verify_token')
        batch_op.drop_column('app_secret')
