"""Redis restarted empty while the case events' fan-out (which writes their emails and
webhook deliveries) waits in it: every email and delivery still arrives, once (the outbox
rows stay open until the task confirms them, and the sweep publishes them again)."""
import pytest
import sqlalchemy as sa

from tests import factories
from tests.faults.stack import now
from tests.integration.test_webhooks import Receiver
from tests.live import wait_for
from traveler_portal.domain import integrations, public_events
from traveler_portal.extensions import db
from traveler_portal.models import (
    Notification,
    OutboxMessage,
    Petition,
    Status,
    WebhookDelivery,
)

pytestmark = pytest.mark.faults
PETITIONS = 5


def scalar(app, query):
    with app.app_context():
        try:
            return db.session.scalar(query)
        finally:
            db.session.rollback()


def test_a_wiped_broker_delays_emails_and_webhooks_but_loses_none(
        fault_app, fault_redis, stack, smtp_server):
    receiver = Receiver()
    try:
        with fault_app.app_context():
            employer = factories.user("employer", organization="Wipe Test Ltd.")
            integrations.add_endpoint(employer, receiver.url)
            traveler = factories.user("traveler", organization="Wipe Test Ltd.")
            address = traveler.email
        routing = stack.ready(stack.worker(queues="routing,periodic", wait=False),
                              stack.beat(wait=False))
        with fault_app.app_context():
            for i in range(PETITIONS):
                factories.submitted(traveler, days_ahead=20 + i)
        # Routed, and each event's fan-out published to Redis, where no worker takes it
        # (none consumes "notifications" or "webhooks" yet).
        wait_for(lambda: scalar(fault_app, sa.select(sa.func.count()).select_from(Petition)
                                .where(Petition.status == Status.QUEUED)) == PETITIONS,
                 60, "routing")
        waiting = sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.queue.in_(("notifications", "webhooks")),
            OutboxMessage.published_at.is_(None))
        wait_for(lambda: scalar(fault_app, waiting) == 0, 30, "the messages in Redis")
        fan_outs = scalar(fault_app, sa.select(sa.func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.task_name == public_events.FAN_OUT_TASK))

        def in_redis():  # deliveries have their own queue
            return fault_redis.client().llen("notifications") + \
                fault_redis.client().llen("webhooks")
        # A row is committed as published and sent just after its commit: the last few
        # may reach Redis a moment after the database says so.
        wait_for(lambda: in_redis() >= fan_outs, 30, "the fan-out messages in Redis")
        queued = in_redis()
        assert queued >= fan_outs == 2 * PETITIONS  # each submission and routing
        # Nothing of the fan-out is written yet; then, per event, the traveler's email and
        # one delivery to the endpoint.
        assert scalar(fault_app, sa.select(sa.func.count()).select_from(Notification)) == 0
        assert scalar(fault_app, sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0
        emails = deliveries = fan_outs
        assert len(smtp_server.to(address)) == 0 and receiver.requests == []

        fault_redis.wipe()
        wiped_at = now()
        assert fault_redis.client().llen("notifications") < queued  # they are gone
        stack.worker(queues="notifications,webhooks")

        def all_delivered():
            return (len(smtp_server.to(address)) >= emails
                    and len({r[0]["X-Portal-Event-Id"] for r in receiver.requests}) >= deliveries)
        try:
            wait_for(all_delivered, 90, "every email and webhook after the wipe")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{stack.tails()}") from None
        recovery = now() - wiped_at
        # Let any duplicate arrive: a further sweep cycle and a redrive delay's worth.
        wait_for(lambda: scalar(fault_app, sa.select(sa.func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.confirmed_at.is_(None))) == 0,
                 60, "every outbox row confirmed")
        print(f"\nRedis wipe: {queued} queued message(s) lost (the fan-out of {fan_outs} "
              f"events: {emails} emails, {deliveries} webhook deliveries); all delivered "
              f"{recovery:.1f} s after the wipe")
        subjects = [m["Subject"] for m in smtp_server.to(address)]
        assert len(subjects) == emails and len(set(subjects)) == len(subjects)
        event_ids = [r[0]["X-Portal-Event-Id"] for r in receiver.requests if r[2] == 200]
        assert len(event_ids) == deliveries == len(set(event_ids))
        assert routing.alive()
    finally:
        receiver.server.shutdown()
