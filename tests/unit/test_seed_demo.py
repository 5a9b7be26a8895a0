"""``flask seed-demo`` never reaches production by accident, ``make run`` seeds only the
embedded default, and seeding before the broker runs says so plainly (no warnings)."""
import logging
import os
import subprocess
from pathlib import Path

import kombu.utils.functional
import sqlalchemy as sa

from traveler_portal.extensions import db
from traveler_portal.models import OutboxMessage, Petition, User

ROOT = Path(__file__).resolve().parents[2]


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_refuses_under_production(app, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 2
    assert "PORTAL_ENV=production" in result.output
    assert "--i-know-this-is-production" in result.output
    assert _count(app, User) == 0


def test_the_override_is_explicit(app, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--i-know-this-is-production"])
    assert result.exit_code == 0, result.output
    assert _count(app, User) == 8
    app.config.pop("OUTBOX_RELAY_DEFERRED", None)


def test_seeding_before_the_broker_runs_keeps_messages_quietly(app, caplog, monkeypatch):
    # The test configuration's broker is a port nothing listens on, as before `make run`
    # starts the embedded broker.
    waits = []  # kombu's pauses between connection tries: a refused port answers at once
    monkeypatch.setattr(kombu.utils.functional, "sleep", waits.append)
    with caplog.at_level(logging.WARNING):
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    app.config.pop("OUTBOX_RELAY_DEFERRED", None)
    assert result.exit_code == 0, result.output
    waiting = _count(app, OutboxMessage)
    assert waiting >= 1
    assert f"{waiting} message(s) wait in the outbox" in result.output
    assert "unreachable" not in caplog.text
    assert sum(waits) == 0, f"seed-demo waited {sum(waits)} s for a broker that refused"
    # The accounts print as a table a newcomer copies from: every email in one column,
    # the longest role name (port_officer) included.
    columns = {line.index("@") - len(line.split()[1].split("@")[0])
               for line in result.output.splitlines() if "@" in line and "TOTP" not in line
               and not line.startswith("Demo")}
    assert len(columns) == 1, result.output


def _make_run_commands(**env) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    environ.update(env)
    return subprocess.run(["make", "-n", "run"], cwd=ROOT, env=environ, check=True,
                          capture_output=True, text=True).stdout


def test_make_run_seeds_only_the_embedded_default():
    assert "flask --app wsgi seed-demo" in _make_run_commands()
    production = _make_run_commands(DATABASE_URL="postgresql://db.example/portal",
                                    CELERY_BROKER_URL="redis://redis.example/0")
    assert "seed-demo" in production  # the line saying why nothing is seeded
    assert "flask --app wsgi seed-demo" not in production


def test_every_submitted_demo_petition_was_attested_as_a_traveler_files_it(app):
    """The officer's case view shows when the traveler attested: a demo case submitted
    without the guided filing's attestation showed "Attested –" on a first `make run`."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    app.config.pop("OUTBOX_RELAY_DEFERRED", None)
    assert result.exit_code == 0, result.output
    with app.app_context():
        submitted = db.session.execute(sa.select(Petition.receipt_number, Petition.attested_at)
                                       .where(Petition.submitted_at.is_not(None))).all()
    assert len(submitted) == 3
    assert [receipt for receipt, attested in submitted if attested is None] == []
