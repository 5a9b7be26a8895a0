"""Shared fixtures: one database for the session (PostgreSQL when TEST_DATABASE_URL is
set, otherwise a SQLite file), migrated with the real migrations and loaded with the real
reference data; every table of case data emptied before each test."""
import os
import tempfile

# Before the app's config is imported: the test configuration and a throwaway instance.
os.environ["PORTAL_ENV"] = "testing"
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="portal-test-instance-"))

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from config import _normalise_db_url  # noqa: E402
from tests import factories, ordering  # noqa: E402
from tests.dbsetup import fresh_database  # noqa: E402
from traveler_portal import create_app  # noqa: E402
from traveler_portal.domain import lockout  # noqa: E402
from traveler_portal.extensions import db  # noqa: E402

pytest_plugins = ["tests.live"]

CASE_TABLES = ["arrivals", "processing_times", "audit_entries", "queue_officers",
               "invitations", "employee_imports",
               "webhook_deliveries", "webhook_endpoints", "api_keys", "notices",
               "evidence_items", "notifications", "events", "decisions", "documents",
               "outbox", "petitions", "traveler_profiles", "api_tokens", "recovery_codes",
               "second_factors", "users",
               "organization_figures", "organizations", "queue_checkpoints"]


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, the long tests first, spread over the workers (tests/ordering.py)."""
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    if workers > 1:
        items[:] = ordering.longest_first(items, workers)


@pytest.fixture(scope="session")
def test_dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("portal")
    (base / "uploads").mkdir()
    return base


# pytest-xdist runs the suite in several processes ("gw0", "gw1", ...): each gets a
# database and a Redis database of its own, so their workers never share a queue.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_number() -> int:
    return int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else 0


def _own_postgres_database(url: str) -> str:
    """``url`` with the worker's name appended to its database, created when missing."""
    base, name = url.rsplit("/", 1)
    name = f"{name}_{XDIST_WORKER}"
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                           {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base}/{name}"


def worker_broker_url(url: str) -> str:
    """A Redis URL's database number moved down by the worker's number (15, 14, ...)."""
    if not XDIST_WORKER or not url.startswith("redis://"):
        return url
    base, _slash, number = url.rpartition("/")
    return f"{base}/{int(number or 0) - _worker_number()}"


@pytest.fixture(scope="session")
def database_url(test_dirs):
    url = os.environ.get("TEST_DATABASE_URL")
    if url and XDIST_WORKER:
        url = _own_postgres_database(_normalise_db_url(url))
    return _normalise_db_url(url or f"sqlite:///{test_dirs / 'test.sqlite3'}")


def _commits_without_waiting_for_the_disk(engine):
    """On SQLite, the test process's own connections commit without waiting for the disk
    (``synchronous=OFF``): what a commit makes visible, and when, is unchanged; only a
    crash of the machine could lose the last ones, and a test database outlives no crash.
    Several thousand fsyncs a run, each up to 10 ms on a busy disk. The live processes keep
    the product's settings, and PostgreSQL its own (whether a routing waits for the disk
    is the product's setting, tests/unit/test_routing_hot_path.py)."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA synchronous=OFF")
    engine.dispose()  # connections made before have the setting too


@pytest.fixture(scope="session")
def app(database_url, test_dirs):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                      "UPLOAD_DIR": str(test_dirs / "uploads")})
    with app.app_context():
        _commits_without_waiting_for_the_disk(db.engine)
        fresh_database()
    return app


# One statement tells which case tables hold rows (most tests fill a few of them).
_FILLED = sa.text("SELECT " + ", ".join(f"(SELECT 1 FROM {table} LIMIT 1)"
                                        for table in CASE_TABLES))


def empty_case_tables(attempts: int = 5):
    """Inside an app context: delete every row of the case tables that have any, children
    first (PostgreSQL: in one round trip). The live workers may still be finishing the
    previous test's tasks on these rows: a deadlock PostgreSQL breaks, or a row a worker
    added meanwhile (an event's fan-out writes notifications after the event), is tried
    again."""
    filled = [table for table, row in zip(CASE_TABLES, db.session.execute(_FILLED).one(),
                                          strict=True) if row]
    deletes = [f"DELETE FROM {table}" for table in filled]
    if deletes and db.engine.dialect.name == "postgresql":
        deletes = ["; ".join(deletes)]
    try:
        for statement in deletes:
            db.session.execute(sa.text(statement))
        db.session.commit()
    except (sa.exc.OperationalError, sa.exc.IntegrityError) as exc:
        db.session.rollback()
        # 40P01: a deadlock; 23503: a row referencing one being deleted, added meanwhile.
        if attempts <= 1 or getattr(exc.orig, "sqlstate", None) not in ("40P01", "23503"):
            raise
        empty_case_tables(attempts - 1)


@pytest.fixture(autouse=True)
def _empty_case_tables(request, app, beat_only_for_live_tests):
    """Each test starts with reference data only (the live beat, if any, paused first for
    a test without the live stack: tests/live.py)."""
    with app.app_context():
        empty_case_tables()
    lockout.forget_in_memory()  # failed sign-ins counted by an earlier test
    yield


@pytest.fixture
def ctx(app):
    """An app context (no request: the outbox relays at once, as in a worker), for
    calling domain services directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(ctx):
    """The factory functions, with an app context pushed."""
    return factories
