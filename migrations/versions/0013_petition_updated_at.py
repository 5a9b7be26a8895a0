"""petitions.updated_at: when the row last changed, for the draft-retention sweep

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-01 02:00:00

Abandoned drafts (and their files) are purged DRAFT_RETENTION_DAYS after their last
change (issue 14, item 8). Rows that existed before this column count from their
creation (the sweep reads coalesce(updated_at, created_at)).
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
