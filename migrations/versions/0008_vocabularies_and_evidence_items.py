"""vocabularies and evidence items: CHECK constraints on the enumerated columns that had
none, and a request's items stored once

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 02:00:00

``users.org_role``, ``invitations.org_role``, ``decisions.review_state``,
``categories.channel`` and ``ports.kind`` were plain strings; the database now refuses a
value outside their vocabulary, as it does for the statuses (the values are frozen here,
as they were when written; tests/unit/test_architecture.py compares them with the models).

A request for evidence kept its items twice: as ``evidence_items`` rows and as a JSON list
of requirements on the decision. The rows stay; a decision whose JSON list has no rows
(written before the rows existed) gets them, then the column goes.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CHECKS = {
    ("users", "org_role"): ("owner", "admin", "viewer"),
    ("invitations", "org_role"): ("owner", "admin", "viewer"),
    ("decisions", "review_state"): ("pending", "approved", "returned"),
    ("categories", "channel"): ("port", "consulate", "ircc"),
    ("ports", "kind"): ("land", "air", "sea", "rail", "preclearance"),
}


def _items_to_rows():
    conn = op.get_bind()
    with_rows = {r[0] for r in conn.execute(sa.text(
        "SELECT DISTINCT decision_id FROM evidence_items"))}
    for decision_id, raw in conn.execute(sa.text(
            "SELECT id, evidence_items FROM decisions WHERE outcome = 'evidence_requested'")):
        items = raw if isinstance(raw, list) else json.loads(raw or "[]")
        if decision_id in with_rows:
            continue
        for position, requirement in enumerate(items):
            conn.execute(sa.text(
                "INSERT INTO evidence_items (decision_id, position, requirement, reason, "
                "response_note) VALUES (:d, :p, :r, '', '')"),
                {"d": decision_id, "p": position, "r": str(requirement)})


def upgrade():
    _items_to_rows()
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('evidence_items')
    for (table, column), values in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"),
                                             f"{column} IN {values}")


def downgrade():
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_items', sa.JSON(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT decision_id, requirement FROM evidence_items ORDER BY decision_id, position"))
    items = {}
    for decision_id, requirement in rows:
        items.setdefault(decision_id, []).append(requirement)
    for decision_id, requirements in items.items():
        conn.execute(sa.text("UPDATE decisions SET evidence_items = :j WHERE id = :d"),
                     {"j": json.dumps(requirements), "d": decision_id})
    for (table, column) in reversed(list(CHECKS)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
