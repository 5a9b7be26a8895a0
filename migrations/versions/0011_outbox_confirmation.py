"""outbox confirmation and webhook claims: nothing lost, nothing twice

Revision ID: 0011
Revises: 0013
Create Date: 2026-12-01 01:45:00

An outbox row now stays open until its task confirms it (``confirmed_at``); the sweep
re-publishes an open row once ``redrive_after`` has passed, so a broker that loses its
data (or a worker killed with the message) delays the side effect but never drops it.
``tries`` counts the task's failed attempts (a retry waits in the row, not in Redis).
``failed_at``: the task gave up (an operator command sends it again).
A webhook delivery is claimed (``claimed_until``) by a guarded update before its POST,
so concurrent copies of the task cannot both send it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('redrive_after', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('tries', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_open', ['redrive_after'], unique=False,
                              postgresql_where=sa.text('confirmed_at IS NULL'),
                              sqlite_where=sa.text('confirmed_at IS NULL'))
    # Rows published before this revision were handed to the broker with no way to be
    # confirmed: treat them as done, as the old code did.
    op.execute("UPDATE outbox SET confirmed_at = published_at WHERE published_at IS NOT NULL")
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_open')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('tries')
        batch_op.drop_column('redrive_after')
        batch_op.drop_column('confirmed_at')
