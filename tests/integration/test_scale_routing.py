"""Routing per destination country and the scale-out Procfile, on a broker of their own.

A worker that consumes only ``routing.CA`` routes Canada's petitions while a US petition
waits for a US worker (a US backlog never delays Canada); ``Procfile.scale`` runs two web
servers and three Celery workers on one database and one broker, each country's petitions
routed by its own worker and readable through either web server."""
import re
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests import factories
from tests.live import BIN, Process, free_port, wait_for
from traveler_portal import create_app, embedded_broker
from traveler_portal.domain import accounts
from traveler_portal.extensions import db
from traveler_portal.models import Petition, Status


@pytest.fixture
def own_broker(tmp_path):
    """A broker only this test's processes use (the session's worker would route
    every country's petitions)."""
    socket_path = Path("/tmp") / f"h16-scale-{free_port()}.sock"  # unix sockets: short paths
    server = embedded_broker.start(socket_path, tmp_path / "redis")
    yield f"redis+socket://{socket_path}"
    server.terminate()
    server.wait(10)
    socket_path.unlink(missing_ok=True)


@pytest.fixture
def publisher(app, own_broker):
    """The product, publishing to that broker: petitions filed here are routed by whatever
    workers consume it."""
    return create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "UPLOAD_DIR": app.config["UPLOAD_DIR"],
                       "CELERY_BROKER_URL": own_broker})


def _env(live_env, own_broker):
    return dict(live_env, CELERY_BROKER_URL=own_broker)


WHERE = {"US": {"category": "TN", "port": "BLAINE"},
         "CA": {"category": "CUSMA_PRO", "port": "DOUGLAS"}}


def _file(publisher, country):
    with publisher.app_context():
        traveler = factories.user("traveler")
        return factories.submitted(traveler, country=country, **WHERE[country]).receipt_number


def _status(publisher, receipt):
    with publisher.app_context():
        return db.session.scalar(sa.select(Petition.status)
                                 .where(Petition.receipt_number == receipt))


def _worker(name, queues, env, logdir):
    worker = Process(name, [str(BIN / "celery"), "-A", "workers", "worker", "--loglevel=info",
                            "-Q", queues, "--concurrency=1", f"--hostname={name}@%h"],
                     env, logdir)
    wait_for(lambda: " ready." in worker.output() or not worker.alive(), 60, f"{name} ready")
    assert worker.alive(), worker.output()
    return worker


ROUTED = re.compile(r"petitions\.route\[[^\]]+\] succeeded")


def _routed(worker, count=1):
    """Wait until ``worker`` has logged ``count`` routing tasks done (its commit comes
    just before the log line: stopping it in between would lose the line, not the work)."""
    wait_for(lambda: len(ROUTED.findall(worker.output())) >= count, 60,
             f"{worker.name} to finish routing")
    return len(ROUTED.findall(worker.output()))


def test_a_canada_worker_routes_canada_while_us_petitions_wait_for_theirs(
        publisher, own_broker, live_env, tmp_path):
    env = _env(live_env, own_broker)
    us_first = _file(publisher, "US")  # the US backlog, published first
    canada = _file(publisher, "CA")
    ca_worker = _worker("routing-ca", "routing.CA", env, tmp_path)
    try:
        wait_for(lambda: _status(publisher, canada) == Status.QUEUED, 60,
                 "the Canadian petition routed")
        assert _routed(ca_worker) == 1
        assert _status(publisher, us_first) == Status.SUBMITTED  # not the CA worker's
        us_worker = _worker("routing-us", "routing.US", env, tmp_path)
        try:
            wait_for(lambda: _status(publisher, us_first) == Status.QUEUED, 60,
                     "the US petition routed by the US worker")
            assert _routed(us_worker) == 1
        finally:
            us_worker.stop()
    finally:
        ca_worker.stop()
    assert len(ROUTED.findall(ca_worker.output())) == 1


def test_procfile_scale_runs_two_web_servers_and_a_worker_per_country(
        publisher, own_broker, live_env, tmp_path):
    web_ports = free_port(), free_port()
    env = dict(_env(live_env, own_broker), WEB1_PORT=str(web_ports[0]),
               WEB2_PORT=str(web_ports[1]), ROUTING_CONCURRENCY="1", TASKS_CONCURRENCY="1",
               WEB_CONCURRENCY="1", BEAT_SCHEDULE=str(tmp_path / "celerybeat-schedule"))
    stack = Process("honcho", [str(BIN / "honcho"), "--procfile", "Procfile.scale", "start"],
                    env, tmp_path)
    try:
        for port in web_ports:
            def up(port=port):
                assert stack.alive(), stack.output()
                try:
                    return requests.get(f"http://127.0.0.1:{port}/healthz",
                                        timeout=5).status_code == 200
                except requests.RequestException:
                    return False
            wait_for(up, 90, f"web server on {port}")
        for name in ("routing-us", "routing-ca", "tasks"):
            wait_for(lambda name=name: re.search(rf"{name}@\S+ ready", stack.output()), 90,
                     f"worker {name} ready")
        receipts = {"US": _file(publisher, "US"),
                    "CA": _file(publisher, "CA")}
        with publisher.app_context():
            officer = factories.user("officer", country="CA")
            token = accounts.issue_token(officer)[0]
        for port in web_ports:  # either web server answers with the routed case
            def routed(port=port):
                response = requests.get(
                    f"http://127.0.0.1:{port}/api/v1/petitions/{receipts['CA']}",
                    headers={"Authorization": f"Bearer {token}"}, timeout=10)
                return response.status_code == 200 and response.json()["status"] == "queued"
            wait_for(routed, 60, f"the Canadian petition queued, seen through {port}")
        wait_for(lambda: _status(publisher, receipts["US"]) == Status.QUEUED, 60,
                 "the US petition routed")
        wait_for(lambda: len(ROUTED.findall(stack.output())) >= 2, 60, "both routings logged")
    finally:
        stack.stop()
    out = stack.output()
    routed_by = {name: len(re.findall(rf"^\S+ {name}\.1\s*\|.*petitions\.route\[[^\]]+\] "
                                      r"succeeded", out, re.M))
                 for name in ("routing_us", "routing_ca", "tasks")}
    assert routed_by == {"routing_us": 1, "routing_ca": 1, "tasks": 0}, out[-3000:]
