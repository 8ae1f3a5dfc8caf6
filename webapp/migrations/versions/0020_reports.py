"""the moves' commissions and holder, the contacted leads' index

Issue 15 (a year of 1 M leads under a second). The status moves the reports read get the
advisor's and the manager's commissions of a won deal (CCIMA-13), so the commission pool sums
narrow rows instead of the audit rows' JSON (backfilled from the audit trail's status
events), and the lead's holder, team and source as it moved, so cuts by them read the moves
alone (backfilled from the leads as they are now, the closest record there is); the
covering index gets those columns. And a partial index of the contacted leads' facts, which
speed to lead reads on SQLite in one pass.

Revision ID: 0020_reports
Revises: 0019_rspeed
Create Date: 2026-12-03 07:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

from webapp.models.types import UTCDateTime
from webapp.operations.lead_facts import move_amount

# revision identifiers, used by Alembic.
revision = '0020_reports'
down_revision = '0019_rspeed'
branch_labels = None
depends_on = None

COMMISSIONS = ('advisor_commission', 'manager_commission')
STATUS_ACTIONS = ('lead.status', 'lead.invalidated')

audit = sa.table(
    'audit_events',
    sa.column('action', sa.String),
    sa.column('subject_type', sa.String),
    sa.column('subject_id', sa.Integer),
    sa.column('after', sa.JSON),
    sa.column('created_at', UTCDateTime()),
)
leads = sa.table(
    'leads',
    sa.column('id', sa.Integer),
    sa.column('owner_id', sa.Integer),
    sa.column('team_id', sa.Integer),
    sa.column('source', sa.String),
)
moves = sa.table(
    'lead_status_moves',
    sa.column('lead_id', sa.Integer),
    sa.column('owner_id', sa.Integer),
    sa.column('team_id', sa.Integer),
    sa.column('source', sa.String),
    sa.column('status', sa.String),
    sa.column('moved_at', UTCDateTime()),
    sa.column('advisor_commission', sa.Numeric(asdecimal=False)),
    sa.column('manager_commission', sa.Numeric(asdecimal=False)),
)


CONTACTED = 'first_contact_seconds IS NOT NULL'


def upgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index(
            'ix_leads_contacted',
            ['workspace_id', 'arrived_on', 'owner_id', 'team_id', 'source',
             'first_contact_seconds'],
            unique=False,
            sqlite_where=sa.text(CONTACTED),
            postgresql_where=sa.text(CONTACTED),
        )
    with op.batch_alter_table('lead_status_moves', schema=None) as batch_op:
        batch_op.add_column(sa.Column('advisor_commission', sa.Numeric(asdecimal=False)))
        batch_op.add_column(sa.Column('manager_commission', sa.Numeric(asdecimal=False)))
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=60), nullable=True))
        batch_op.create_foreign_key(
            'fk_lead_status_moves_owner_id_users', 'users', ['owner_id'], ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_foreign_key(
            'fk_lead_status_moves_team_id_teams', 'teams', ['team_id'], ['id'],
            ondelete='SET NULL',
        )
        batch_op.drop_index('ix_status_moves_report')
    bind = op.get_bind()
    _holders(bind)
    _commissions(bind)
    with op.batch_alter_table('lead_status_moves', schema=None) as batch_op:
        batch_op.create_index(
            'ix_status_moves_report',
            ['workspace_id', 'moved_at', 'status', 'lead_id', 'revenue', 'owner_id', 'team_id',
             'source'],
            unique=False,
        )


def _of_lead(column):
    """The moved lead's `column`, as a correlated subquery."""
    return sa.select(column).where(leads.c.id == moves.c.lead_id).scalar_subquery()


def _holders(bind):
    bind.execute(
        sa.update(moves).values(
            owner_id=_of_lead(leads.c.owner_id),
            team_id=_of_lead(leads.c.team_id),
            source=_of_lead(leads.c.source),
        )
    )


def _commissions(bind):
    events = bind.execute(
        sa.select(audit.c.subject_id, audit.c.after, audit.c.created_at).where(
            audit.c.subject_type == 'leads', audit.c.action.in_(STATUS_ACTIONS)
        )
    )
    for lead_id, after, created_at in events.all():
        after = after or {}
        amounts = {name: move_amount(after.get(name)) for name in COMMISSIONS}
        if not isinstance(after.get('status'), str) or not any(amounts.values()):
            continue
        # 0019 wrote each move at its audit event's moment: that is the move of this event.
        bind.execute(
            sa.update(moves)
            .where(
                moves.c.lead_id == lead_id,
                moves.c.status == after['status'][:60],
                moves.c.moved_at == created_at,
            )
            .values(**amounts)
        )


def downgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_contacted')
    with op.batch_alter_table('lead_status_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_status_moves_report')
        batch_op.drop_constraint('fk_lead_status_moves_team_id_teams', type_='foreignkey')
        batch_op.drop_constraint('fk_lead_status_moves_owner_id_users', type_='foreignkey')
        batch_op.drop_column('source')
        batch_op.drop_column('team_id')
        batch_op.drop_column('owner_id')
        batch_op.drop_column('manager_commission')
        batch_op.drop_column('advisor_commission')
        batch_op.create_index(
            'ix_status_moves_report',
            ['workspace_id', 'moved_at', 'status', 'lead_id', 'revenue'],
            unique=False,
        )
