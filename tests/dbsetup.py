"""A fresh, migrated database with the reference data loaded (tests and benchmarks)."""
import sqlalchemy as sa
from flask_migrate import upgrade

from traveler_portal.extensions import db
from traveler_portal.reference import loader


def fresh_database():
    """Inside an app context: drop everything, run the real migrations, load the data."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade()
    loader.load_all()
