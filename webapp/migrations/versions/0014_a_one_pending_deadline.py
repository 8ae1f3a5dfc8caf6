"""one pending deadline per lead and timer

A change of owner used to leave the previous owner's timer running beside the new one
(CCIMA-6: two pending contact SLAs, the old one taking the lead from the new advisor). A lead
now has at most one pending deadline per timer, which a partial unique index keeps. Extra
pending rows already stored are cancelled first, keeping the newest (the current owner's).

Revision ID: 0014_a
Revises: 0014_d
Create Date: 2026-12-01 22:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_a'
down_revision = '0014_d'
branch_labels = None
depends_on = None

WHERE = "state = 'pending' AND kind <> 'timer.reminder' AND lead_id IS NOT NULL"


def upgrade():
    op.execute(
        "UPDATE deadlines SET state = 'cancelled' "
        "WHERE state = 'pending' AND kind <> 'timer.reminder' AND lead_id IS NOT NULL "
        "AND id < (SELECT MAX(newer.id) FROM deadlines newer "
        "WHERE newer.lead_id = deadlines.lead_id AND newer.kind = deadlines.kind "
        "AND newer.state = 'pending')"
    )
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index(
            'uq_deadlines_one_pending',
            ['lead_id', 'kind'],
            unique=True,
            sqlite_where=sa.text(WHERE),
            postgresql_where=sa.text(WHERE),
        )


def downgrade():
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('uq_deadlines_one_pending')
