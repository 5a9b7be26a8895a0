"""dashboard growth: the employer's figures table and the indexes of its sorts (issue 16)

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-01 05:40:00

``organization_figures``: one row per organization (its number of travelers),
rewritten by a beat task so the dashboard counts nothing per request.
Indexes: the dashboard sorted by receipt number and its one-status panels (requests
for evidence, drafts) by travel date; the employees page by name, a keyset page at a
time (and its count of travelers, from the index alone).
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0016'
branch_labels = None
depends_on = None

PETITION_INDEXES = [
    ("ix_petitions_org_receipt", ["organization_id", "receipt_number", "id"]),
    ("ix_petitions_org_status_travel", ["organization_id", "status", "travel_date", "id"]),
]


def upgrade():
    op.create_table(
        'organization_figures',
        sa.Column('organization_id', sa.String(length=36), nullable=False),
        sa.Column('travelers', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_organization_figures_organization_id_organizations')),
        sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organization_figures')))
    for name, columns in PETITION_INDEXES:
        op.create_index(name, "petitions", columns)
    op.create_index("ix_users_org_role_name", "users", ["organization_id", "role", "name", "id"])


def downgrade():
    op.drop_index("ix_users_org_role_name", table_name="users")
    for name, _columns in reversed(PETITION_INDEXES):
        op.drop_index(name, table_name="petitions")
    op.drop_table('organization_figures')
