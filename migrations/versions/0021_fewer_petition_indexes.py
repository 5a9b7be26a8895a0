"""fewer petition indexes: three that others cover are dropped, so a claim's UPDATE (which rewrites an entry in every index of the table) keeps 16, not 19 (issue 16)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 12:15:00

A claim changes the row's status, so PostgreSQL cannot update it in place (HOT): every
index of ``petitions`` gains an entry per claim, and at a million petitions they no
longer fit in the cache together. Three serve nothing another does not:
``ix_petitions_claimable`` (queue, priority, submitted_at; queued rows) is the claim
order's predecessor, and ``ix_petitions_claim_order`` (queue, priority DESC, due date,
submitted_at, id; queued rows) serves every query it could; ``ix_petitions_organization_id``
and ``ix_petitions_traveler_id`` are the first column of ``ix_petitions_org_newest`` and
``ix_petitions_traveler_newest`` (organization or traveler, then id), which serve the same
lookups and foreign-key checks. EXPLAIN of each page's queries at a million petitions
before and after: docs/scaling.md.
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

QUEUED = "status = 'queued'"


def upgrade():
    op.drop_index("ix_petitions_claimable", table_name="petitions")
    op.drop_index("ix_petitions_organization_id", table_name="petitions")
    op.drop_index("ix_petitions_traveler_id", table_name="petitions")


def downgrade():
    op.create_index("ix_petitions_traveler_id", "petitions", ["traveler_id"])
    op.create_index("ix_petitions_organization_id", "petitions", ["organization_id"])
    op.create_index("ix_petitions_claimable", "petitions",
                    ["queue_id", "priority", "submitted_at"],
                    postgresql_where=sa.text(QUEUED), sqlite_where=sa.text(QUEUED))
