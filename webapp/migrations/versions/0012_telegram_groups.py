"""telegram groups, group recipients and weekly reports

Channel settings map the policy's group names to Telegram chat ids; a notification may go to
a group (recipient_group, no user) for announcements (CCIMA-9); weekly_reports keeps each
advisor's report as the weekly cut-off made it (CCIMA-7, CCIMA-8).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.types


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('channel_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('telegram_groups', sa.JSON(), nullable=True))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_group', sa.String(length=80), nullable=True))

    op.create_table('weekly_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cutoff_at', webapp.models.types.UTCDateTime(), nullable=False),
    sa.Column('week_start', webapp.models.types.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('received_by_source', sa.JSON(), nullable=False),
    sa.Column('incomplete', sa.JSON(), nullable=False),
    sa.Column('created_at', webapp.models.types.UTCDateTime(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_weekly_reports_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_weekly_reports_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_weekly_reports_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_reports')),
    sa.UniqueConstraint('workspace_id', 'cutoff_at', 'user_id', name=op.f('uq_weekly_reports_workspace_id_cutoff_at_user_id'))
    )
    with op.batch_alter_table('weekly_reports', schema=None) as batch_op:
        batch_op.create_index('ix_weekly_reports_latest', ['workspace_id', 'cutoff_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_weekly_reports_workspace_id'), ['workspace_id'], unique=False)


def downgrade():
    with op.batch_alter_table('weekly_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_weekly_reports_workspace_id'))
        batch_op.drop_index('ix_weekly_reports_latest')

    op.drop_table('weekly_reports')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('recipient_group')

    with op.batch_alter_table('channel_settings', schema=None) as batch_op:
        batch_op.drop_column('telegram_groups')
