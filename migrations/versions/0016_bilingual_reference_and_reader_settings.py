"""bilingual reference data and each reader's language and time zone

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-01 02:10:00

Reference texts get a French twin beside the English column (``name_fr``, ``title_fr``,
``description_fr``, ``decided_by_fr``; the checklist and question lists carry ``label_fr``
inside their JSON, so nothing changes for them here); ports get their IANA time zone; an
account gets the language and time zone its person chose (staff have no traveler profile).
The loader fills the French from the TOML.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0017'
branch_labels = None
depends_on = None

FRENCH = {
    "categories": [("name_fr", sa.String(200)), ("decided_by_fr", sa.String(200))],
    "required_documents": [("name_fr", sa.String(200)), ("description_fr", sa.Text())],
    "ports": [("name_fr", sa.String(200)), ("time_zone", sa.String(64))],
    "queues": [("name_fr", sa.String(200))],
    "reason_codes": [("title_fr", sa.String(200))],
}


def upgrade():
    for table, columns in FRENCH.items():
        with op.batch_alter_table(table) as batch:
            for name, type_ in columns:
                batch.add_column(sa.Column(name, type_, nullable=False, server_default=""))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("preferred_language", sa.String(2), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("preferred_language")
    for table, columns in FRENCH.items():
        with op.batch_alter_table(table) as batch:
            for name, _type in columns:
                batch.drop_column(name)
