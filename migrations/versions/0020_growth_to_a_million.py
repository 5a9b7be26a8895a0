"""queue checkpoints and growth indexes: a list's places in a queue read from what a beat task numbered; the employer dashboard's panels and the estimate's sample read by index (issue 16)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 09:00:00

``queue_checkpoints``: a beat task numbers each queue's waiting cases in claim order and
keeps the first of every (priority, due date) group, every 100th and an end marker, so a
list of petitions counts each one's place from the nearest checkpoint instead of from
the head of the queue. ``ix_petitions_decided_sample`` gains the id: the estimate's
sample is ordered by (decided_at, id) and read newest first, and a tie on decided_at
made PostgreSQL read and sort the whole tie (75,000 rows at a million petitions). The
employer dashboard's panels: ``ix_decisions_approved_valid_until`` gains the petition (the
approvals expiring soon are listed by end date, then petition: the first rows end the
scan instead of a sort of the whole window), and ``ix_petitions_org_undecided_travel``
holds the petitions without a decision by travel date (upcoming travel read 5,500 decided
rows to find 20 at a million petitions).
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

DECIDED = "status IN ('approved', 'denied', 'expired')"
UNDECIDED = "status NOT IN ('approved', 'denied', 'expired', 'withdrawn')"
APPROVED = "outcome = 'approved'"


def _sample_index(columns):
    op.create_index("ix_petitions_decided_sample", "petitions", columns,
                    postgresql_where=sa.text(DECIDED), sqlite_where=sa.text(DECIDED))


def _approvals_index(columns):
    op.drop_index("ix_decisions_approved_valid_until", table_name="decisions")
    op.create_index("ix_decisions_approved_valid_until", "decisions", columns,
                    postgresql_where=sa.text(APPROVED), sqlite_where=sa.text(APPROVED))


def upgrade():
    op.create_table(
        'queue_checkpoints',
        sa.Column('queue_id', sa.Integer(), nullable=False),
        sa.Column('place', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('petition_id', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['queue_id'], ['queues.id'],
                                name=op.f('fk_queue_checkpoints_queue_id_queues')),
        sa.PrimaryKeyConstraint('queue_id', 'place', name=op.f('pk_queue_checkpoints')))
    op.create_index("ix_queue_checkpoints_key", "queue_checkpoints",
                    ["queue_id", "priority", "due_date", "submitted_at", "petition_id"])
    op.drop_index("ix_petitions_decided_sample", table_name="petitions")
    _sample_index(["queue_id", "category_id", "decided_at", "id"])
    _approvals_index(["valid_until", "petition_id"])
    op.create_index("ix_petitions_org_undecided_travel", "petitions",
                    ["organization_id", "travel_date", "id"],
                    postgresql_where=sa.text(UNDECIDED), sqlite_where=sa.text(UNDECIDED))


def downgrade():
    op.drop_index("ix_petitions_org_undecided_travel", table_name="petitions")
    _approvals_index(["valid_until"])
    op.drop_index("ix_petitions_decided_sample", table_name="petitions")
    _sample_index(["queue_id", "category_id", "decided_at"])
    op.drop_index("ix_queue_checkpoints_key", table_name="queue_checkpoints")
    op.drop_table('queue_checkpoints')
