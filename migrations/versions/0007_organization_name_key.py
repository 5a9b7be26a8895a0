"""organization name key: one registration per legal name, whatever its case

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 18:55:00

The uniqueness of an organization's legal name was checked with SQL lower(), which
SQLite applies to ASCII letters only: "Érable" and "ÉRABLE" slipped past the check and
then hit the exact-name unique constraint. The key is now computed in Python
(``organization_key``: Unicode case folding, spaces collapsed) and unique in the table.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _key(name):
    # The same rule as traveler_portal.models.users.organization_key, frozen here so
    # the migration keeps meaning what it meant when written.
    return " ".join((name or "").casefold().split())


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=True))

    organizations = sa.table('organizations', sa.column('id', sa.String),
                             sa.column('name', sa.String), sa.column('name_key', sa.String),
                             sa.column('created_at', sa.DateTime))
    connection = op.get_bind()
    seen = {}
    for org_id, name in connection.execute(sa.select(organizations.c.id, organizations.c.name)
                                           .order_by(organizations.c.created_at, organizations.c.id)):
        key = _key(name)
        if key in seen:
            # Two earlier registrations differing only in case: the first registered
            # keeps the plain key, the later one's key names it, and neither is lost.
            key = f"{key} [{org_id}]"
        seen[key] = org_id
        connection.execute(organizations.update().where(organizations.c.id == org_id)
                           .values(name_key=key[:200]))

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_organizations_name_key'), ['name_key'])


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_organizations_name_key'), type_='unique')
        batch_op.drop_column('name_key')
