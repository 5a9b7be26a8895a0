"""organization name key: punctuation folded too

Revision ID: 0015
Revises: 0008
Create Date: 2026-12-01 01:45:00

"Acme Widgets Inc" and "Acme Widgets Inc." were two organizations: the key folded case
and spaces only. The key now also reads dashes as spaces and drops other punctuation
(after Unicode NFKC), so the stored keys are recomputed. Data only; the schema is as
0007 left it.
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0008'
branch_labels = None
depends_on = None


def _key(name):
    # The rule of traveler_portal.models.users.organization_key when this was written,
    # frozen here so the migration keeps meaning what it meant.
    kept = []
    for char in unicodedata.normalize("NFKC", name or "").casefold():
        kind = unicodedata.category(char)
        if kind == "Pd":
            kept.append(" ")
        elif not kind.startswith("P"):
            kept.append(char)
    return " ".join("".join(kept).split())


def _old_key(name):
    return " ".join((name or "").casefold().split())


def _recompute(key):
    organizations = sa.table('organizations', sa.column('id', sa.String),
                             sa.column('name', sa.String), sa.column('name_key', sa.String),
                             sa.column('created_at', sa.DateTime))
    connection = op.get_bind()
    rows = connection.execute(sa.select(organizations.c.id, organizations.c.name)
                              .order_by(organizations.c.created_at, organizations.c.id)).all()
    # Park every key first: the unique constraint must never see two rows share one
    # midway through the rewrite.
    for org_id, _name in rows:
        connection.execute(organizations.update().where(organizations.c.id == org_id)
                           .values(name_key=f"#parked:{org_id}"))
    seen = set()
    for org_id, name in rows:
        value = key(name)
        if value in seen:
            # Two registrations that now fold alike ("Acme Inc" and "Acme Inc."): the
            # first registered keeps the plain key, the later one's key names it, and
            # neither is lost (an admin can merge them).
            value = f"{value} [{org_id}]"
        seen.add(value)
        connection.execute(organizations.update().where(organizations.c.id == org_id)
                           .values(name_key=value[:200]))


def upgrade():
    _recompute(_key)


def downgrade():
    _recompute(_old_key)
