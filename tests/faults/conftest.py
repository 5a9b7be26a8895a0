"""Fixtures of the fault-injection tests (``pytest -m faults``): a private product stack
per test on its own broker and database; see stack.py."""
import os

import pytest

from tests.conftest import empty_case_tables
from tests.dbsetup import fresh_database
from tests.faults.stack import Redis, Stack, environment, fault_database_url, scaled_recovery
from tests.live import BIN
from traveler_portal import create_app


@pytest.fixture(scope="session")
def fault_redis(test_dirs):
    server = Redis(test_dirs)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fault_app(test_dirs, fault_redis, database_url):
    url = fault_database_url(test_dirs, database_url)
    (test_dirs / "fault-uploads").mkdir(exist_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CELERY_BROKER_URL": fault_redis.url,
                      "UPLOAD_DIR": str(test_dirs / "fault-uploads"),
                      "BROKER_CONNECT_TIMEOUT": 2, **scaled_recovery()})
    with app.app_context():
        fresh_database()
    return app


@pytest.fixture
def fault_env(fault_app, fault_redis, test_dirs, smtp_server):
    env = dict(os.environ)
    env.update({
        "PORTAL_ENV": "development", "DATABASE_URL": fault_app.config["SQLALCHEMY_DATABASE_URI"],
        "CELERY_BROKER_URL": fault_redis.url, "SECRET_KEY": "fault-test-secret",
        "UPLOAD_DIR": fault_app.config["UPLOAD_DIR"],
        "INSTANCE_PATH": str(test_dirs / "fault-instance"), "SMTP_URL": smtp_server.url,
        "WEBHOOK_ALLOW_PRIVATE": "1", "WEBHOOK_RETRY_BASE_SECONDS": "1",
        "PII_ENCRYPTION_KEYS": ",".join(fault_app.config["PII_ENCRYPTION_KEYS"]),
        "PATH": f"{BIN}:{env.get('PATH', '')}",
        **environment(scaled_recovery()),
    })
    return env


@pytest.fixture
def stack(fault_app, fault_redis, fault_env, test_dirs):
    with fault_app.app_context():
        empty_case_tables()
    if not fault_redis.answers():
        fault_redis.start()
    fault_redis.client().flushall()
    running = Stack(fault_env, test_dirs)
    yield running
    running.stop_all()
