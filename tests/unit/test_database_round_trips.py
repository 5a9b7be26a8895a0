"""What each request spends on round trips to the database besides its queries
(traveler_portal/database.py): a pooled connection is pinged only after sitting idle, and
on PostgreSQL a transaction begins at the first statement that writes or locks."""
import sqlalchemy as sa

from traveler_portal import database


def test_only_plain_selects_run_before_the_transaction_begins():
    plain = ["SELECT petitions.id FROM petitions WHERE petitions.id = %(id)s",
             "  select 1", "SELECT count(*) FROM notifications"]
    need = ["INSERT INTO audit_entries (x) VALUES (1)", "UPDATE petitions SET version = 2",
            "DELETE FROM outbox", "SAVEPOINT sa_savepoint_1",
            "SELECT petitions.id FROM petitions WHERE queue_id = 1 LIMIT 1 "
            "FOR UPDATE SKIP LOCKED",
            "SELECT id FROM petitions FOR NO KEY UPDATE", "SELECT id FROM users FOR SHARE",
            "SELECT pg_advisory_xact_lock(1)", "SELECT nextval('seq')",
            "WITH gone AS (DELETE FROM outbox RETURNING id) SELECT count(*) FROM gone"]
    assert not any(database.needs_transaction(s) for s in plain)
    assert all(database.needs_transaction(s) for s in need)


def test_a_pooled_connection_is_pinged_only_after_sitting_idle(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(database.time, "monotonic", lambda: clock[0])
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.QueuePool)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping",
                        lambda conn: pings.append(1) or real_ping(conn))
    database.ping_idle_connections(engine, idle_seconds=5)

    def use():
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1

    use()                 # a new connection: just connected, no ping
    clock[0] += 1
    use()                 # handed back a second ago: no ping
    assert pings == []
    clock[0] += 6
    use()                 # idle 6 s: pinged first
    assert pings == [1]
    engine.dispose()


def test_a_connection_asked_for_autocommit_stays_in_autocommit(app):
    # Lazily begun transactions never wrap a statement whose caller asked for autocommit
    # (an ANALYZE wrapped in a transaction nobody commits is silently lost).
    assert database.begins_transaction(True, None, "UPDATE petitions SET version = 2")
    assert not database.begins_transaction(True, "AUTOCOMMIT", "ANALYZE")
    assert not database.begins_transaction(True, None, "SELECT 1")
    assert not database.begins_transaction(False, None, "UPDATE petitions SET version = 2")
    from traveler_portal.extensions import db  # noqa: PLC0415
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return  # the lazy begin is PostgreSQL's (psycopg); the CI runs this part there
    with app.app_context(), db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(sa.text("CREATE TABLE autocommit_probe (id integer)"))
    with app.app_context(), db.engine.connect() as conn:  # kept: it was not rolled back
        assert conn.execute(sa.text("SELECT count(*) FROM autocommit_probe")).scalar() == 0
        conn.execute(sa.text("DROP TABLE autocommit_probe"))
        conn.commit()


def test_postgresql_compiles_no_statement_just_in_time(app):
    # A page's statement costed for its worst case was JIT-compiled on every request
    # (150-240 ms of compiling for a 2-25 ms statement at a million petitions).
    from traveler_portal.extensions import db  # noqa: PLC0415
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            return  # SQLite has no JIT; the CI runs this part on PostgreSQL
        assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
        conn.rollback()
    with app.app_context(), db.engine.connect() as conn:  # the setting outlives a rollback
        assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
