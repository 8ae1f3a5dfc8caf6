"""saved views of the leads list

A member's named filters and sort of the leads list, per workspace (issue 16 item 6).

Revision ID: 0017_leadslist
Revises: 0016_scope
Create Date: 2026-12-02 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.types


# revision identifiers, used by Alembic.
revision = '0017_leadslist'
down_revision = '0016_scope'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('query', sa.String(length=1000), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('created_at', webapp.models.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', webapp.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'user_id', 'name'),
    )
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_views_user_id'), ['user_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_saved_views_workspace_id'), ['workspace_id'], unique=False
        )


def downgrade():
    op.drop_table('saved_views')
