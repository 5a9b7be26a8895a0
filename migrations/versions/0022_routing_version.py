"""routing version: a number the database raises on every change to the routing rules or
the queues, so a worker may keep them in memory and see an edit at its next routing
(issue 16)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 12:00:00

``routing_version`` holds one row. Triggers on ``routing_rules`` and ``queues`` raise its
number on every insert, update and delete, whoever makes the change (the admin's pages,
``load-reference-data``, a script, psql): a routing reads the number in its first
statement and reads the rules again only when it moved (domain/routing.py).
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TABLES = ("routing_rules", "queues")
BUMP = "UPDATE routing_version SET version = version + 1 WHERE id = 1"


def upgrade():
    op.create_table(
        'routing_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_version')))
    postgresql = op.get_bind().dialect.name == "postgresql"
    # The number starts at the clock (microseconds): a database dropped and created again
    # never repeats a number a running worker may still hold with the old rules.
    start = ("(extract(epoch from clock_timestamp()) * 1000000)::bigint" if postgresql
             else "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)")
    op.execute(f"INSERT INTO routing_version (id, version) VALUES (1, {start})")
    if postgresql:
        op.execute("CREATE FUNCTION routing_version_bump() RETURNS trigger LANGUAGE plpgsql "
                   f"AS $$ BEGIN {BUMP}; RETURN NULL; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR "
                       f"TRUNCATE ON {table} FOR EACH STATEMENT "
                       "EXECUTE FUNCTION routing_version_bump()")
    else:
        for table in TABLES:
            for change in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_version_{change.lower()} AFTER {change} "
                           f"ON {table} BEGIN {BUMP}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_version ON {table}")
        op.execute("DROP FUNCTION routing_version_bump()")
    else:
        for table in TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_version_{change}")
    op.drop_table('routing_version')
