"""A public event's fan-out (domain/public_events.py): the transition commits the event
with one outbox row and nothing else; the task writes the traveler's notification, the
employer admins' people updates and the webhook deliveries, once, however often it runs."""
import sqlalchemy as sa

from tests import factories
from traveler_portal.domain import people_updates, public_events
from traveler_portal.extensions import db
from traveler_portal.models import (
    Event,
    Notification,
    OutboxMessage,
    WebhookDelivery,
    WebhookEndpoint,
)


def _counts():
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Notification)),
            db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)),
            db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
                OutboxMessage.task_name != public_events.FAN_OUT_TASK)))


def test_an_event_fans_out_in_its_own_task_once_however_often_it_runs(ctx):
    org = "Fan Out Ltd."
    boss = factories.user("employer", organization=org)
    people_updates.set_choice(boss, "immediate")
    db.session.add(WebhookEndpoint(organization_id=boss.organization_id,
                                   url="https://hooks.example/fan-out", secret="s" * 32))
    db.session.commit()
    traveler = factories.user("traveler", organization=org)
    before = _counts()
    petition = factories.submitted(traveler)
    receipt = petition.receipt_number
    [event_id] = db.session.scalars(sa.select(Event.id).where(
        Event.petition_id == petition.id, Event.action == "submit")).all()
    [fan_out] = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.task_name == public_events.FAN_OUT_TASK)).all()
    assert fan_out.args[0] == event_id and fan_out.queue == "notifications"
    # The submission wrote the event and its row (and its routing's), none of the fan-out.
    assert _counts() == (before[0], before[1], before[2] + 1)
    db.session.commit()

    assert public_events.fan_out(event_id) is True
    db.session.commit()
    notes = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    assert [(n.user_id, n.dedup_key) for n in notes] == [
        (traveler.id, f"event:{event_id}"), (boss.id, f"people:{event_id}")]
    assert all(receipt in n.subject for n in notes)
    [delivery] = db.session.scalars(sa.select(WebhookDelivery)).all()
    assert delivery.event_id == f"evt_{event_id}"
    # Two emails and one webhook delivery, each its own task through the outbox.
    once = _counts()
    assert once == (2, 1, 1 + 3)  # the routing row, two emails, the delivery

    # A copy of the message (at-least-once delivery): nothing more.
    assert public_events.fan_out(event_id) is False
    db.session.commit()
    assert _counts() == once
