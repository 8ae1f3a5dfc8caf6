"""workspace currency

The currency of a workspace's amounts (a won deal's revenue), filled in for existing
workspaces from their country.

Revision ID: 0014_d
Revises: 0014_e
Create Date: 2026-12-01 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from babel.numbers import get_territory_currencies


# revision identifiers, used by Alembic.
revision = '0014_d'
down_revision = '0014_e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False)
        )
    workspaces = sa.table(
        'workspaces', sa.column('id', sa.Integer), sa.column('country', sa.String),
        sa.column('currency', sa.String),
    )
    connection = op.get_bind()
    for country, in connection.execute(sa.select(workspaces.c.country).distinct()).all():
        currencies = get_territory_currencies(country or 'US') or ['USD']
        connection.execute(
            workspaces.update().where(workspaces.c.country == country)
            .values(currency=currencies[0])
        )


def downgrade():
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.drop_column('currency')
