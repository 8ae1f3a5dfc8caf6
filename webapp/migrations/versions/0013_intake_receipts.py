"""intake receipts

A request that joined an existing file (BDC-7) is remembered under its Idempotency-Key or
external id, so a retry or a re-imported file joins nothing twice.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.types


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'intake_receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('created_at', webapp.models.types.UTCDateTime(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'key'),
    )
    with op.batch_alter_table('intake_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_receipts_workspace_id'), ['workspace_id'], unique=False)


def downgrade():
    with op.batch_alter_table('intake_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_receipts_workspace_id'))
    op.drop_table('intake_receipts')
