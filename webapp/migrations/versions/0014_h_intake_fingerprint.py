"""intake fingerprints

The sha256 of the body first received under an Idempotency-Key, on the lead it made or the
receipt of the file it joined: the key reused with another body is refused (issue 10 item 8).

Revision ID: 0014_h
Revises: 0014_c
Create Date: 2026-12-01 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_h'
down_revision = '0014_c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intake_fingerprint', sa.String(length=64), nullable=True))
    with op.batch_alter_table('intake_receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('intake_receipts', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_column('intake_fingerprint')
