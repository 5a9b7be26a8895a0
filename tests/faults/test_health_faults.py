"""/readyz and ``flask --app wsgi doctor`` with the worker, the broker and the database
each stopped: readiness fails only for what the web needs (database, schema, broker) and
names it; doctor names every failed part with what to do."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.live import free_port

pytestmark = pytest.mark.faults


def readyz(url):
    response = requests.get(f"{url}/readyz", timeout=10)
    return response.status_code, response.json()


def doctor(stack, env=None):
    done = stack.flask("doctor", env=env)
    return done.returncode, done.stdout


def failed_lines(output):
    return {line.split()[1] for line in output.splitlines() if line.startswith("FAIL")}


def test_readiness_and_doctor_name_what_is_stopped(fault_app, fault_redis, stack):
    # The database stopped: a web process and doctor whose database does not answer. They
    # share nothing with the rest, so they start with it, and doctor runs meanwhile.
    if fault_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        gone = "sqlite:////nonexistent-directory/portal.sqlite3"
    else:
        gone = f"postgresql://postgres@127.0.0.1:{free_port()}/portal"
    with ThreadPoolExecutor(1) as pool:
        doctor_without_database = pool.submit(doctor, stack, {"DATABASE_URL": gone})
        worker = stack.worker(wait=False)
        web, down = stack.web(wait=False), stack.web(env={"DATABASE_URL": gone}, wait=False)
        stack.ready(worker, web, down)
        url = web.url
        status, body = readyz(url)
        assert status == 200 and body["status"] == "ok", body
        assert body["checks"]["migrations"]["ok"]  # details: this caller is on loopback
        code, out = doctor(stack)
        assert code == 0 and failed_lines(out) == set(), out
        assert "routing: 1 worker(s)" in out

        stack.kill(worker)  # the web does not need the worker: still ready; doctor says so
        assert readyz(url)[0] == 200
        code, out = doctor(stack)
        assert code == 1 and failed_lines(out) == {"workers"}, out
        assert "no worker for routing" in out and "celery -A workers worker" in out

        fault_redis.stop()
        try:
            status, body = readyz(url)
            assert status == 503 and body["failed"] == ["broker"], body
            code, out = doctor(stack)
            assert code == 1 and {"broker", "workers"} <= failed_lines(out), out
            assert "start Redis" in out
        finally:
            fault_redis.start()

        status, body = readyz(down.url)
        assert status == 503 and body["failed"] == ["database", "migrations"], body
        assert requests.get(f"{down.url}/healthz", timeout=10).status_code == 200  # alive
        code, out = doctor_without_database.result()
        assert code == 1 and {"database", "migrations"} <= failed_lines(out), out
        assert "start PostgreSQL" in out
