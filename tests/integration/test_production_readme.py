"""README.md's production block, run as written: the variables it exports get this test's
values (PostgreSQL and Redis when TEST_DATABASE_URL / TEST_BROKER_URL are set), the
secrets come from the README's own one-liners, and every other line runs verbatim until
/healthz answers healthy. And a missing setting stops flask, gunicorn and celery with one
line naming it, not a traceback."""
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config import PRODUCTION_REQUIRED, _normalise_db_url
from tests.conftest import worker_broker_url
from tests.live import BIN, ROOT, Process, free_port, stop_together, wait_for
from traveler_portal import embedded_broker
from traveler_portal.extensions import db

README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    return README.split(f"### {title}\n", 1)[1].split("\n## ", 1)[0]


def _blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, re.DOTALL)


def _production_block() -> list[str]:
    block = next(b for b in _blocks(_section("Production"))
                 if b.startswith("export PORTAL_ENV=production"))
    return [line for line in block.splitlines() if line.strip()]


def _generated_secrets(env) -> dict:
    """SECRET_KEY and a PII key, made by the README's own commands."""
    block = next(b for b in _blocks(_section("Production")) if "secrets.token_hex" in b)
    made = {}
    for line in block.splitlines():
        command, name = line.rsplit("#", 1)
        made[name.strip()] = subprocess.run(["bash", "-c", command], env=env, check=True,
                                            capture_output=True, text=True).stdout.strip()
    assert set(made) == {"SECRET_KEY", "PII_ENCRYPTION_KEYS"}
    return made


def _base_env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TEST_", "PORTAL_", "INSTANCE_")) and k not in PRODUCTION_REQUIRED}
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    return env


@pytest.fixture
def readme_database(test_dirs, database_url):
    """An empty database of its own: PostgreSQL next to the test database (under
    pytest-xdist, the worker's own), else SQLite."""
    if not os.environ.get("TEST_DATABASE_URL"):
        yield f"sqlite:///{test_dirs / 'readme.sqlite3'}"
        return
    base = make_url(_normalise_db_url(database_url))
    name = f"{base.database}_readme"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False).replace(
        "postgresql+psycopg://", "postgresql://")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def readme_broker(test_dirs):
    """Redis at TEST_BROKER_URL, else an embedded redis-server of its own."""
    if os.environ.get("TEST_BROKER_URL"):  # under pytest-xdist, the worker's own database
        yield worker_broker_url(os.environ["TEST_BROKER_URL"])
        return
    socket_dir = Path(tempfile.mkdtemp(prefix="portal-readme-"))
    server = embedded_broker.start(socket_dir / "redis.sock", socket_dir / "redis")
    yield f"redis+socket://{socket_dir / 'redis.sock'}"
    server.terminate()
    server.wait(10)


def test_the_readme_production_block_reaches_a_healthy_healthz(
        app, readme_database, readme_broker, smtp_server, test_dirs):
    env = _base_env()
    secrets = _generated_secrets(env)
    port = free_port()
    instance = test_dirs / "readme-instance"
    values = {
        "PORTAL_ENV": "production", "DATABASE_URL": readme_database,
        "CELERY_BROKER_URL": readme_broker, **secrets,
        "PUBLIC_URL": f"http://127.0.0.1:{port}", "SMTP_URL": smtp_server.url,
        "INSTANCE_PATH": str(instance),
    }
    lines = _production_block()
    exports = [line for line in lines if line.startswith("export ")]
    named = [line.split()[1].split("=", 1)[0] for line in exports]
    assert set(PRODUCTION_REQUIRED) <= set(named), "the README must name every required one"
    assert set(named) == set(values), "a variable the README exports that this test lacks"
    env.update({name: values[name] for name in named}, PORT=str(port))

    commands = lines[len(exports):]
    migrate = subprocess.run(["bash", "-c", commands[0]], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    assert "reference data loaded" in migrate.stdout
    processes = [Process(f"readme-{i}", ["bash", "-c", line], env, test_dirs)
                 for i, line in enumerate(commands[1:])]
    _web, worker, _beat = processes
    try:
        def healthy():
            for process in processes:
                assert process.alive(), process.output()[-3000:]
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            except requests.RequestException:
                return None
            return answer.status_code == 200 and answer.json()
        status = wait_for(healthy, 90, "the README's gunicorn to answer /readyz")
        assert status["status"] == "ok" and all(
            check["ok"] for check in status["checks"].values()), status  # db, migrations, broker
        with app.app_context():
            head = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert status["database_revision"] == head
        wait_for(lambda: " ready." in worker.output(), 90, "the README's worker")
        wait_for(lambda: (instance / "celerybeat-schedule").exists()
                 or list(instance.glob("celerybeat-schedule*")), 90,
                 "beat's schedule file under INSTANCE_PATH")
        assert not list(ROOT.glob("celerybeat-schedule*")), "beat wrote into the checkout"
    finally:
        stop_together(processes)


PRODUCTION_COMMANDS = {
    "flask": "flask --app wsgi db upgrade",
    "gunicorn": "gunicorn --bind 127.0.0.1:{port} --workers 4 wsgi:app",
    "celery": "celery -A workers worker --loglevel=info",
}


@pytest.mark.parametrize("program", sorted(PRODUCTION_COMMANDS))
@pytest.mark.parametrize("keys, named", [
    (None, "PII_ENCRYPTION_KEYS"),
    ("not-a-fernet-key", "PII_ENCRYPTION_KEYS: key 1 is not a Fernet key")])
def test_a_missing_setting_is_one_line_naming_it(program, keys, named, test_dirs):
    env = _base_env()
    env.update(PORTAL_ENV="production", DATABASE_URL="postgresql://u@127.0.0.1:1/none",
               CELERY_BROKER_URL="redis://127.0.0.1:1/0", SECRET_KEY="s" * 64,
               INSTANCE_PATH=str(test_dirs / "missing-setting"))
    if keys:
        env["PII_ENCRYPTION_KEYS"] = keys
    command = PRODUCTION_COMMANDS[program].format(port=free_port())
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 4, output[-3000:]
    assert "Traceback" not in output
    mentions = [line for line in output.splitlines() if "PII_ENCRYPTION_KEYS" in line]
    assert len(mentions) == 1 and named in mentions[0], output[-3000:]
