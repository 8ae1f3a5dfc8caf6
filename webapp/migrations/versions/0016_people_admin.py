"""people administration

Members can be deactivated and invited (a nonce per pending invitation); workspaces, teams
and partner organisations can be archived; partner organisations get a code and a CRM
reference (issue 12 items 1-3).

Revision ID: 0016_people
Revises: 0015
Create Date: 2026-12-02 06:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.types


# revision identifiers, used by Alembic.
revision = '0016_people'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('invitation_nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('invited_at', webapp.models.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', webapp.models.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', webapp.models.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('partner_organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('crm_reference', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('archived_at', webapp.models.types.UTCDateTime(), nullable=True))


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never a copy of the table: on SQLite,
    # dropping the old workspaces table would cascade-delete every lead that points at it.
    for table, columns in (
        ('partner_organisations', ('archived_at', 'crm_reference', 'code')),
        ('teams', ('archived_at',)),
        ('workspaces', ('archived_at',)),
        ('memberships', ('invited_at', 'invitation_nonce', 'active')),
    ):
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            for column in columns:
                batch_op.drop_column(column)
