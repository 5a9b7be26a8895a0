"""Engine settings that make SQLite safe for concurrent writers.

Python's sqlite3 driver starts *deferred* transactions, which let two claimers read the
same queued row before either writes (double claims were measured). SQLAlchemy's
documented pysqlite recipe takes transaction control away from the driver so that every
transaction starts with ``BEGIN IMMEDIATE``: writers queue on SQLite's lock (bounded by
the busy timeout) instead of interleaving. PostgreSQL needs none of this; it uses row
locks (``FOR UPDATE`` / ``SKIP LOCKED``) instead.

SQLite's own ``lower()`` folds ASCII letters only, so a search for "émilie" missed
"Émilie"; each connection replaces it with Python's Unicode ``str.lower`` so searches
behave as they do on PostgreSQL.

A pooled connection is checked (one round trip to the server) before a request uses it
only when it sat unused for ``DB_PING_IDLE_SECONDS`` or more (``ping_idle_connections``):
a connection handed back a moment ago by the previous request is alive, and pinging it
was one of every request's few round trips (SQLAlchemy's ``pool_pre_ping`` pings on every
checkout). A connection that died meanwhile anyway (the server restarted while requests
kept flowing) fails its request once; SQLAlchemy then drops the whole pool.

PostgreSQL compiles no statement just in time (``_postgresql_on_connect``): a page's
statement costed for its worst case was compiled on every request, for longer than it ran.

PostgreSQL transactions begin at the first statement that needs one
(``begin_transactions_at_first_write``): until then a unit of work's plain SELECTs run
in autocommit, each on its own snapshot, exactly as each statement of a READ COMMITTED
transaction does; the first statement that writes, locks (``FOR UPDATE``/``SHARE``) or
opens a savepoint starts the transaction, which the boundary commits or rolls back as
before. A unit that only reads (most page views and API reads) so costs no ``BEGIN``
and no ``COMMIT``: two of its few round trips to the server.
"""
import re
import sqlite3
import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Row ids are PostgreSQL ``integer``s.
LARGEST_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in a URL: a number no row id exceeds. A larger one matches no route
    (404, as any id naming no row) instead of reaching a query PostgreSQL refuses (500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_on_connect(dbapi_connection, _record):
    """No JIT compilation: PostgreSQL compiles a statement whose *estimated* cost passes
    ``jit_above_cost``, and a page's statement with a subquery costed for the worst case
    (a place counted from the head of a long queue, the dashboard's panels) was compiled
    on every request: 150-240 ms of compiling for a 2-25 ms statement at a million
    petitions (issue 16). JIT pays off for long analytical queries, which this portal
    does not run in a request. Once per connection; committed, as SET is transactional."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Ping a connection at checkout only when it was idle ``idle_seconds`` or more (or is
    checked out for the first time after a ping failed); a dead one is replaced (the pool
    retries the checkout with a new connection)."""
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new (just connected), or handed back a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if not engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            raise exc.DisconnectionError("the pooled connection was dead; reconnecting")


# A statement that may run outside a transaction: a plain SELECT, taking no row lock.
_PLAIN_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKS_OR_WRITES = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b"
                              r"|\bnextval\b|\bsetval\b|\bpg_advisory", re.IGNORECASE)


def needs_transaction(statement: str) -> bool:
    return not _PLAIN_SELECT.match(statement) or bool(_LOCKS_OR_WRITES.search(statement))


def begins_transaction(autocommit: bool, isolation_level: str | None, statement: str) -> bool:
    """Whether ``statement`` on a connection now in autocommit starts a transaction: yes
    when it needs one, unless the caller asked for autocommit itself
    (``isolation_level="AUTOCOMMIT"``: ANALYZE, CREATE DATABASE... must not run in a
    transaction nobody commits)."""
    return autocommit and isolation_level != "AUTOCOMMIT" and needs_transaction(statement)


def begin_transactions_at_first_write(engine: Engine) -> None:
    """PostgreSQL (psycopg): a checked-out connection runs in autocommit until a statement
    needs a transaction, which then begins (psycopg sends BEGIN before that statement)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return
    import psycopg  # noqa: PLC0415 - PostgreSQL deployments only

    idle = psycopg.pq.TransactionStatus.IDLE

    @event.listens_for(engine, "checkout")
    def _autocommit_until_needed(dbapi_connection, _record, _proxy):
        if not dbapi_connection.autocommit and \
                dbapi_connection.info.transaction_status == idle:
            dbapi_connection.autocommit = True

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writing(conn, _cursor, statement, _parameters, _context, _many):
        dbapi_connection = conn.connection.dbapi_connection
        if begins_transaction(dbapi_connection.autocommit,
                              conn.get_execution_options().get("isolation_level"), statement):
            dbapi_connection.autocommit = False
