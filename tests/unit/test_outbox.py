"""The outbox's bookkeeping (no broker needed): a row stays open until confirmed, a
postponed retry waits in the row, a task that never confirms is given up on after
OUTBOX_MAX_PUBLISHES publishes and can be sent again by the operator's command."""
from datetime import timedelta

import sqlalchemy as sa

from traveler_portal.domain import outbox
from traveler_portal.extensions import db
from traveler_portal.models import OutboxMessage
from traveler_portal.models.users import utcnow


def row(**values) -> int:
    message = OutboxMessage(task_name="notifications.send_email", args=[1],
                            queue="notifications", created_at=utcnow(), **values)
    db.session.add(message)
    db.session.commit()
    return message.id


def test_task_ids_name_their_outbox_row(ctx):
    assert outbox.message_id_of(outbox.task_id_for(42)) == 42
    assert outbox.message_id_of("0b7e5d9c-1f1e-4c4e-9a53-9d7f0a1e2c3b") is None
    assert outbox.message_id_of(None) is None


def test_each_queue_has_its_redrive_delay_and_country_queues_their_familys(ctx, app):
    delays = app.config["OUTBOX_REDRIVE_SECONDS"]
    assert outbox.redrive_delay("routing") == delays["routing"]
    assert outbox.redrive_delay("routing.CA") == delays["routing"]
    assert outbox.redrive_delay("something-new") == delays["default"]


def test_a_row_stays_open_until_confirmed_and_a_retry_waits_in_it(ctx):
    message_id = row(published_at=utcnow(), attempts=1,
                     redrive_after=utcnow() + timedelta(seconds=30))
    assert outbox.backlog()[0] == 1
    outbox.postpone(message_id, 300, "SMTPServerDisconnected()")
    message = db.session.get(OutboxMessage, message_id)
    assert message.tries == 1 and message.last_error == "SMTPServerDisconnected()"
    assert message.redrive_after > utcnow() + timedelta(seconds=290)
    assert outbox.tries_of(message_id) == 1
    outbox.confirm_with_work(message_id)
    db.session.commit()
    assert outbox.backlog() == (0, None)
    outbox.postpone(message_id, 5, "late")  # a copy's late failure cannot reopen it
    assert db.session.get(OutboxMessage, message_id).tries == 1


def test_a_task_that_never_confirms_is_given_up_on_and_can_be_resent(ctx, app):
    limit = app.config["OUTBOX_MAX_PUBLISHES"]
    message_id = row(published_at=utcnow(), attempts=limit,
                     redrive_after=utcnow() - timedelta(seconds=1))
    assert outbox.sweep() == 0  # given up on, not published (nothing listens anyway)
    assert outbox.failed_count() == 1
    assert outbox.reopen_failed() == 1
    message = db.session.get(OutboxMessage, message_id)
    db.session.refresh(message)
    assert message.failed_at is None and message.confirmed_at is None
    assert message.attempts == 0 and outbox.failed_count() == 0
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
