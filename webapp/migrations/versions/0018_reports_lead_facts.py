"""lead facts the reports read

The local day of arrival, the first contact and the seconds to it, the contact attempts, on
the lead row, with the covering index the reports read them from (issue 15: a year of 1 M
leads in under a second); existing rows are backfilled from their activities.

Revision ID: 0018_reports
Revises: 0017_leadslist
Create Date: 2026-12-02 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

from tenants import load_policy
from webapp.models.types import UTCDateTime
from webapp.operations.lead_facts import local_day, seconds_to_contact

# revision identifiers, used by Alembic.
revision = '0018_reports'
down_revision = '0017_leadslist'
branch_labels = None
depends_on = None

BATCH = 5000

leads = sa.table(
    'leads',
    sa.column('id', sa.Integer),
    sa.column('workspace_id', sa.Integer),
    sa.column('created_at', UTCDateTime()),
    sa.column('arrived_on', sa.Integer),
    sa.column('first_contact_at', UTCDateTime()),
    sa.column('first_contact_seconds', sa.Float),
    sa.column('contact_attempts', sa.Integer),
)
activities = sa.table(
    'activities',
    sa.column('lead_id', sa.Integer),
    sa.column('workspace_id', sa.Integer),
    sa.column('channel', sa.String),
    sa.column('occurred_at', UTCDateTime()),
)
workspaces = sa.table(
    'workspaces',
    sa.column('id', sa.Integer),
    sa.column('time_zone', sa.String),
    sa.column('active_policy_version_id', sa.Integer),
)
versions = sa.table('policy_versions', sa.column('id', sa.Integer), sa.column('document', sa.JSON))


def upgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arrived_on', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_contact_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_contact_seconds', sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column('contact_attempts', sa.Integer(), server_default='0', nullable=False)
        )
    _backfill(op.get_bind())
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index(
            'ix_leads_report',
            ['workspace_id', 'arrived_on', 'owner_id', 'team_id', 'source', 'contact_attempts',
             'first_contact_seconds'],
            unique=False,
        )


def _backfill(bind):
    for workspace_id, zone, version_id in bind.execute(
        sa.select(workspaces.c.id, workspaces.c.time_zone, workspaces.c.active_policy_version_id)
    ).all():
        document = None
        if version_id is not None:
            document = bind.scalar(sa.select(versions.c.document).where(versions.c.id == version_id))
        try:
            policy = load_policy(document or {})
        except Exception:  # a stored version today's schema refuses: wall-clock seconds
            policy = load_policy({})
        contact = (
            sa.select(
                activities.c.lead_id,
                sa.func.min(activities.c.occurred_at),
                sa.func.count(),
            )
            .where(activities.c.workspace_id == workspace_id, activities.c.channel != 'note')
            .group_by(activities.c.lead_id)
        )
        contacts = {lead_id: (first, count) for lead_id, first, count in bind.execute(contact)}
        rows = bind.execute(
            sa.select(leads.c.id, leads.c.created_at).where(leads.c.workspace_id == workspace_id)
        ).all()
        for start in range(0, len(rows), BATCH):
            params = []
            for lead_id, created in rows[start:start + BATCH]:
                first, count = contacts.get(lead_id, (None, 0))
                params.append({
                    'lead': lead_id,
                    'arrived_on': local_day(created, zone),
                    'first_contact_at': first,
                    'first_contact_seconds': (
                        seconds_to_contact(policy, created, first) if first else None
                    ),
                    'contact_attempts': count,
                })
            bind.execute(
                leads.update()
                .where(leads.c.id == sa.bindparam('lead'))
                .values(
                    arrived_on=sa.bindparam('arrived_on'),
                    first_contact_at=sa.bindparam('first_contact_at'),
                    first_contact_seconds=sa.bindparam('first_contact_seconds'),
                    contact_attempts=sa.bindparam('contact_attempts'),
                ),
                params,
            )


def downgrade():
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_report')
        batch_op.drop_column('contact_attempts')
        batch_op.drop_column('first_contact_seconds')
        batch_op.drop_column('first_contact_at')
        batch_op.drop_column('arrived_on')
