"""queue agency: the agency that decides a queue's petitions (named on its notices)

Revision ID: 0010
Revises: 0011
Create Date: 2026-12-01 02:00:00

Each adjudication queue belongs to one agency (CBP or USCIS for the United States, CBSA
or IRCC for Canada: reference/data/queues.toml), whose name every decision notice carries.
The code and the English and French names are kept on the queue; load-reference-data fills
them in.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency', sa.String(length=16), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('agency_name', sa.String(length=200), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('agency_name_fr', sa.String(length=200),
                                      server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.drop_column('agency_name_fr')
        batch_op.drop_column('agency_name')
        batch_op.drop_column('agency')
