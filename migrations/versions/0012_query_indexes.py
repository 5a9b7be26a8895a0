"""query indexes: one per hot query, partial on open statuses (issue 16)

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01 01:40:00

Each index serves one query of a page that must stay as fast at a million petitions as
at a thousand: queue summaries and positions (open statuses only), the queue list's two
date sorts, the decision estimate's sample, an officer's cases and workload, the
employer's dashboard and the API lists' keyset order, the supervisor's recent decisions.
claim-next reads the first entry of an index in its exact order. The definitions are frozen here (the models declare the same ones).
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None

AGENCY_OPEN = "status IN ('queued', 'in_review', 'on_hold', 'denial_pending')"
DECIDED = "status IN ('approved', 'denied', 'expired')"
PARTIAL = [
    ("ix_petitions_claim_order", ["queue_id", sa.text("priority DESC"), "due_date",
                                  "submitted_at", "id"], "status = 'queued'"),
    ("ix_petitions_queue_priority", ["queue_id", sa.text("priority DESC"), "id"],
     "status = 'queued'"),
    ("ix_petitions_agency_open", ["queue_id", "status", "due_date"], AGENCY_OPEN),
    ("ix_petitions_queue_due", ["queue_id", "due_date", "id"], "status = 'queued'"),
    ("ix_petitions_queue_travel", ["queue_id", "travel_date", "id"], "status = 'queued'"),
    ("ix_petitions_decided_sample", ["queue_id", "category_id", "decided_at"], DECIDED),
    ("ix_petitions_assigned", ["assigned_officer_id", "status"],
     "assigned_officer_id IS NOT NULL"),
]
PLAIN = [
    ("ix_petitions_org_travel", ["organization_id", "travel_date", "id"]),
    ("ix_petitions_org_newest", ["organization_id", "id"]),
    ("ix_petitions_traveler_newest", ["traveler_id", "id"]),
]


def upgrade():
    for name, columns, where in PARTIAL:
        op.create_index(name, "petitions", columns, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))
    for name, columns in PLAIN:
        op.create_index(name, "petitions", columns)
    op.create_index("ix_decisions_decided_at", "decisions", ["decided_at"])
    op.create_index("ix_decisions_approved_valid_until", "decisions", ["valid_until"],
                    postgresql_where=sa.text("outcome = 'approved'"),
                    sqlite_where=sa.text("outcome = 'approved'"))


def downgrade():
    op.drop_index("ix_decisions_approved_valid_until", table_name="decisions")
    op.drop_index("ix_decisions_decided_at", table_name="decisions")
    for name, _columns in reversed(PLAIN):
        op.drop_index(name, table_name="petitions")
    for name, _columns, _where in reversed(PARTIAL):
        op.drop_index(name, table_name="petitions")
