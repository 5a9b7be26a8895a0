"""evidence return and employers' emails: an answered request for evidence is kept for
the officer who asked; an employer admin's choice of emails about their people

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-01 02:15:00

``petitions.reserved_officer_id`` names the officer who asked for the evidence and
``reserved_until`` the moment (EVIDENCE_RETURN_HOURS after the answer) from which any
officer of the queue may claim the case; both are cleared when the case is claimed.
``users.people_emails`` is an employer admin's choice of emails about their people's
status changes: "off" (the default), "immediate" or "daily".
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('people_emails', sa.String(length=16),
                                      server_default='off', nullable=False))
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved_officer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reserved_until', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_petitions_reserved_officer_id_users'),
                                    'users', ['reserved_officer_id'], ['id'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('people_emails')
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_petitions_reserved_officer_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('reserved_until')
        batch_op.drop_column('reserved_officer_id')
