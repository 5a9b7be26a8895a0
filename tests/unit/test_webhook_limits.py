"""Webhooks cannot starve the portal (issue 14, item 5): endpoints are capped per
organization, "send test" is throttled per organization, and deliveries go to their own
queue, which only the webhook worker consumes (Procfile, Procfile.embedded, tests/live.py)."""
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from traveler_portal.celery_app import TASK_QUEUES, WORKER_QUEUES
from traveler_portal.domain import integrations
from traveler_portal.domain.errors import RateLimited, ValidationFailed
from traveler_portal.extensions import db
from traveler_portal.models import OutboxMessage, WebhookDelivery

ROOT = Path(__file__).resolve().parents[2]
URL = "http://127.0.0.1:9/hook"  # never contacted here: nothing is delivered in unit tests


def test_an_organization_has_a_bounded_number_of_endpoints(app, make):
    admin = make.user("employer")
    most = app.config["WEBHOOK_MAX_ENDPOINTS"]
    endpoints = [integrations.add_endpoint(admin, f"{URL}{n}")[1] for n in range(most)]
    with pytest.raises(ValidationFailed) as refused:
        integrations.add_endpoint(admin, URL)
    assert f"at most {most}" in refused.value.fields["url"]
    integrations.remove_endpoint(admin, endpoints[0].id)  # a removed one frees its place
    integrations.add_endpoint(admin, URL)
    other = make.user("employer")  # the cap is per organization
    integrations.add_endpoint(other, URL)


def test_test_events_are_throttled_per_organization(app, make):
    admin = make.user("employer")
    most = app.config["WEBHOOK_TEST_EVENTS_PER_MINUTE"]
    first = integrations.add_endpoint(admin, URL)[1].id
    second = integrations.add_endpoint(admin, URL + "2")[1].id
    for n in range(most):
        integrations.send_test_event(admin, first if n % 2 else second)
    with pytest.raises(RateLimited) as refused:
        integrations.send_test_event(admin, first)
    assert refused.value.http_status == 429 and f"{most} test events" in refused.value.message
    assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == most


def test_deliveries_are_queued_on_the_webhooks_queue(app, make):
    admin = make.user("employer")
    endpoint = integrations.add_endpoint(admin, URL)[1]
    integrations.send_test_event(admin, endpoint.id)
    queued = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.task_name == integrations.DELIVER_TASK)).all()
    assert [m.queue for m in queued] == ["webhooks"]


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.embedded"])
def test_each_queue_has_exactly_one_worker_and_webhooks_their_own(procfile):
    consumed = {}
    for line in (ROOT / procfile).read_text().splitlines():
        name, _sep, command = line.partition(":")
        if " worker " in command:
            queues = re.search(r"--queues (\S+)", command)
            assert queues, f"{procfile}: the {name} worker must name its queues"
            consumed[name] = tuple(queues.group(1).split(","))
    assert consumed == WORKER_QUEUES
    assert sorted(q for qs in consumed.values() for q in qs) == sorted(TASK_QUEUES)
