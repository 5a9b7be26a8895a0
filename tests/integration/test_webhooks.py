"""Webhooks reach a real HTTP server, signed, retried after a failure, delivered once."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from tests.integration.test_api_journey import file_tn_to_blaine, upload
from tests.live import free_port
from traveler_portal.domain import integrations
from traveler_portal.domain.errors import ValidationFailed
from traveler_portal.extensions import db
from traveler_portal.models import User, WebhookDelivery


class Receiver:
    """A local HTTP endpoint that records every request and can fail the first ones."""

    def __init__(self):
        self.requests, self.fail_next = [], 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                failing = receiver.fail_next > 0
                receiver.fail_next -= failing
                status = 500 if failing else 200
                receiver.requests.append((dict(self.headers), body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self, event_id):
        return [r for r in self.requests if r[0]["X-Portal-Event-Id"] == event_id and r[2] == 200]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()


def wait_until(predicate, timeout=40, what="it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_status_changes_are_signed_retried_and_delivered_once(app, api, receiver, live_server):
    employer = api("employer", organization="Maple Robotics Ltd.")
    traveler = api("traveler", organization="Maple Robotics Ltd.")
    with app.app_context():
        admin = db.session.scalars(sa.select(User).where(User.email == employer.email)).one()
        secret, endpoint = integrations.add_endpoint(admin, receiver.url)
    receiver.fail_next = 1
    receipt = file_tn_to_blaine(traveler)["receipt_number"]
    upload(traveler, receipt, "passport")
    upload(traveler, receipt, "employer_letter")
    traveler.post(f"/petitions/{receipt}/submit")

    wait_until(lambda: len({r[0]["X-Portal-Event-Id"] for r in receiver.requests
                            if r[2] == 200}) == 2, what="both events delivered")
    # Both rows delivered: a delivery is sent only by the run that claims it while pending
    # (integrations._claim), so no copy of a task, however late, sends it again.
    def delivered():
        with app.app_context():
            states = db.session.scalars(sa.select(WebhookDelivery.state)).all()
            db.session.rollback()
            return sorted(states) == ["delivered", "delivered"]
    wait_until(delivered, what="both deliveries recorded as delivered")
    event_ids = {r[0]["X-Portal-Event-Id"] for r in receiver.requests}
    assert len(event_ids) == 2
    for event_id in event_ids:
        assert len(receiver.accepted(event_id)) == 1
    assert sum(r[2] == 500 for r in receiver.requests) == 1  # the failure was retried
    statuses = []
    for headers, body, status in receiver.requests:
        expected = hmac.new(secret.encode(), headers["X-Portal-Timestamp"].encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        assert headers["X-Portal-Signature"] == f"sha256={expected}"
        if status == 200:
            statuses.append(json.loads(body)["data"]["status"])
    assert sorted(statuses) == ["queued", "submitted"]
    with app.app_context():
        log = db.session.scalars(sa.select(WebhookDelivery)).all()
        assert sorted(d.state for d in log) == ["delivered", "delivered"]
        assert sorted(d.attempts for d in log) == [1, 2]


def test_a_test_event_reaches_the_endpoint(app, api, receiver, live_server):
    employer = api("employer")
    with app.app_context():
        admin = db.session.scalars(sa.select(User).where(User.email == employer.email)).one()
        _, endpoint = integrations.add_endpoint(admin, receiver.url)
        integrations.send_test_event(admin, endpoint.id)
    wait_until(lambda: receiver.requests, what="the test event")
    assert json.loads(receiver.requests[0][1])["type"] == "test"


def test_private_addresses_are_refused_unless_allowed(app, make):
    admin = make.user("employer")
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    try:
        for url in ("https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://localhost/x",
                    "http://example.com/hook"):
            with pytest.raises(ValidationFailed) as refused:
                integrations.add_endpoint(admin, url)
            assert "url" in refused.value.fields
    finally:
        app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    assert integrations.endpoints_of(admin) == []
