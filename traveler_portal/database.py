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
"""
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 30_000


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


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
