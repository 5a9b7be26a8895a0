"""Health checks shared by ``/readyz`` (health_web.py) and ``flask --app wsgi doctor``
(doctor.py): each returns ``(ok, detail)``, and logs what failed, so a public answer can
say which part failed without saying why."""
import functools
import logging
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from .extensions import db

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@functools.cache
def migration_head() -> str:
    """The migrations' head revision(s), read once per process: the files do not change
    under a running process. Alembic (~11 MB) is imported here, not by every web worker
    at start (only /readyz, ``doctor`` and backups ask)."""
    from alembic.config import Config as AlembicConfig  # noqa: PLC0415 - see above
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - see above
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ",".join(sorted(ScriptDirectory.from_config(config).get_heads()))


def database_revision() -> str | None:
    """The database's Alembic revision; raises when the database does not answer."""
    try:
        return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        db.session.rollback()


def check_database() -> tuple[bool, str]:
    try:
        database_revision()
        return True, "reachable"
    except sa.exc.SQLAlchemyError as exc:
        log.warning("health: the database is not answering: %s", exc)
        return False, "not reachable"


def check_migrations() -> tuple[bool, str]:
    try:
        revision, head = database_revision(), migration_head()
    except sa.exc.SQLAlchemyError:
        return False, "unknown (database not reachable)"
    if revision != head:
        return False, f"database at {revision}, code expects {head}"
    return True, f"at head ({head})"


def check_broker(timeout: float = 1.0) -> tuple[bool, str]:
    try:
        with current_app.extensions["celery"].connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)  # one try: the prober asks again
        return True, "reachable"
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable" here
        log.warning("health: the broker is unreachable: %s", exc)
        return False, "not reachable"


def readiness() -> dict[str, tuple[bool, str]]:
    """What a load balancer needs before sending traffic: database, schema, broker."""
    return {"database": check_database(), "migrations": check_migrations(),
            "broker": check_broker()}
