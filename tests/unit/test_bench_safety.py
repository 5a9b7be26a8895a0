"""`make bench` wipes the schema of its database: it refuses one that does not say it is
disposable (name ending in _bench, or no tables), and leaves no temporary folder behind."""
import os
import sqlite3
import subprocess
import sys

from bench import safety
from tests.live import ROOT


def _bench(module, tmp_path, **env):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("BENCH_", "INSTANCE_PATH", "TEST_"))}
    environment.update(TMPDIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=300)


def _database_with_data(path):
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
        conn.execute("INSERT INTO customers VALUES ('kept')")


def test_a_database_with_tables_and_no_bench_name_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "portal.sqlite3"
    _database_with_data(path)
    for module in ("bench.claims", "bench.pages"):
        run = _bench(module, tmp_path, BENCH_DATABASE_URL=f"sqlite:///{path}")
        assert run.returncode == 2, run.stderr
        assert "Refusing to benchmark on database 'portal'" in run.stderr
        assert "_bench" in run.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM customers").fetchall() == [("kept",)]
    assert not list(tmp_path.glob("portal-bench-*"))


def test_a_bench_name_or_an_empty_database_is_disposable(tmp_path):
    named = tmp_path / "load_bench.sqlite3"
    _database_with_data(named)
    assert safety.refusal(f"sqlite:///{named}") is None
    assert safety.refusal(f"sqlite:///{tmp_path / 'empty.sqlite3'}") is None
    _database_with_data(tmp_path / "bench.sqlite3")  # "bench" alone is not "_bench"
    assert safety.refusal(f"sqlite:///{tmp_path / 'bench.sqlite3'}")


def test_a_benchmark_run_removes_its_temporary_folder(tmp_path):
    run = _bench("bench.claims", tmp_path, BENCH_PETITIONS="4", BENCH_THREADS="2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "double claims: 0" in run.stdout
    assert not list(tmp_path.glob("portal-bench-*"))
