"""The verification snippet integrators copy from docs/api.md, run against a real
delivery: the live worker POSTs a test event to a real HTTP endpoint, and the snippet
accepts it as sent and refuses it altered."""
import sqlalchemy as sa

from tests.integration.test_webhooks import Receiver, wait_until
from tests.live import ROOT
from traveler_portal.domain import integrations
from traveler_portal.extensions import db
from traveler_portal.models import User


def _snippet_from_the_docs():
    doc = (ROOT / "docs" / "api.md").read_text()
    code = doc.split("### Verifying a delivery", 1)[1].split("```python\n", 1)[1].split("```")[0]
    namespace = {}
    exec(compile(code, "docs/api.md", "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["verify"]


def test_the_documented_snippet_verifies_a_real_delivery(app, api, live_server):
    verify = _snippet_from_the_docs()
    receiver = Receiver()
    try:
        employer = api("employer", organization="Maple Robotics Ltd.")
        with app.app_context():
            admin = db.session.scalars(sa.select(User).where(User.email == employer.email)).one()
            secret, endpoint = integrations.add_endpoint(admin, receiver.url)
            integrations.send_test_event(admin, endpoint.id)
        wait_until(lambda: receiver.requests, what="the test event")
        headers, body, _status = receiver.requests[0]
    finally:
        receiver.server.shutdown()
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body.replace(b'"test"', b'"tast"'))
    assert not verify("another-secret", headers, body)
    stale = dict(headers, **{"X-Portal-Timestamp": str(int(headers["X-Portal-Timestamp"]) - 3600)})
    assert not verify(secret, stale, body)
