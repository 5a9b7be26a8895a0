"""What every benchmark does first: a throwaway instance folder removed at exit, and a
database it may wipe.

A benchmark drops and recreates the whole schema of its database. BENCH_DATABASE_URL is
therefore accepted only when the database says it is disposable: its name ends in
``_bench`` (PostgreSQL ``portal_bench``; a SQLite file ``load_bench.sqlite3``) or it
holds no tables at all. Anything else is refused before a single statement
that changes it. Without BENCH_DATABASE_URL a SQLite file in the temporary folder is used.
"""
import atexit
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

SUFFIX = "_bench"


def instance_dir() -> str:
    """INSTANCE_PATH for this run: a fresh ``portal-bench-*`` folder, deleted when the
    process exits (unless the caller chose one in INSTANCE_PATH: theirs to keep)."""
    if os.environ.get("INSTANCE_PATH"):
        return os.environ["INSTANCE_PATH"]
    path = tempfile.mkdtemp(prefix="portal-bench-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    # A stopped run (kill, Ctrl-C) exits through atexit too, and so leaves nothing behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    os.environ["INSTANCE_PATH"] = path
    return path


def refusal(url: str) -> str | None:
    """Why ``url`` must not be wiped, or None when it is disposable."""
    parsed = sa.engine.make_url(url)
    name = Path(parsed.database or "").stem if parsed.get_backend_name() == "sqlite" \
        else (parsed.database or "")
    if name.endswith(SUFFIX):
        return None
    engine = sa.create_engine(url)
    try:
        tables = sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if not tables:
        return None
    return (f"Refusing to benchmark on database {name!r}: the benchmark drops its whole "
            f"schema, and it holds {len(tables)} tables. Use a database whose name ends in "
            f"'{SUFFIX}' (e.g. createdb portal{SUFFIX}) or an empty one.")


def database_url() -> str:
    """The URL to benchmark on; exits with a one-line reason when it is not disposable."""
    from config import _normalise_db_url  # noqa: PLC0415 - after the environment is set
    given = os.environ.get("BENCH_DATABASE_URL")
    if not given:
        return _normalise_db_url(f"sqlite:///{instance_dir()}/scratch{SUFFIX}.sqlite3")
    url = _normalise_db_url(given)
    reason = refusal(url)
    if reason:
        print(reason, file=sys.stderr)
        raise SystemExit(2)
    return url
