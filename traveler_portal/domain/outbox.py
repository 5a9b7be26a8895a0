"""The transactional outbox: commit the message with the change, publish after commit.

``enqueue`` adds a row to the caller's transaction. ``uow.commit`` calls ``relay`` for the
rows it just committed; ``sweep`` (a beat task) publishes whatever is still unpublished.
A message may be published twice (relay and sweep racing, a crash after publish and before
marking it): every task is idempotent, so that is safe; losing one is not.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from kombu.exceptions import OperationalError as BrokerError

from ..extensions import db
from ..models import OutboxMessage
from ..models.users import utcnow

log = logging.getLogger(__name__)
PENDING_KEY = "outbox_pending"


def enqueue(task_name: str, args: list, queue: str) -> OutboxMessage:
    message = OutboxMessage(task_name=task_name, args=list(args), queue=queue,
                            created_at=utcnow())
    db.session.add(message)
    db.session.info.setdefault(PENDING_KEY, []).append(message)
    return message


def publish_task(task_name: str, args: list, queue: str) -> None:
    """Send a task by name; raises ``BrokerError`` quickly when the broker is away."""
    celery = current_app.extensions["celery"]
    celery.send_task(task_name, args=args, queue=queue, retry=False)


def relay(message_ids: list[int]) -> int:
    """Publish the given messages (already committed); returns how many went out."""
    if not message_ids or current_app.config.get("OUTBOX_RELAY_DEFERRED"):
        return 0  # deferred (seed-demo before the broker runs): the sweep publishes them
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id.in_(message_ids),
                                       OutboxMessage.published_at.is_(None))
        .order_by(OutboxMessage.id)).all()
    # Read, then end the transaction before talking to the broker: on SQLite an open
    # transaction holds the database's write lock.
    db.session.commit()
    sent, failed = [], {}
    for message in messages:
        try:
            publish_task(message.task_name, message.args, message.queue)
            sent.append(message.id)
        except (BrokerError, OSError) as exc:
            failed[message.id] = str(exc)[:500]
            log.warning("broker unreachable, message kept for the outbox sweep: id=%s "
                        "task=%s (%s)", message.id, message.task_name, exc)
            break  # the broker is away; the sweeper will retry the rest
    _record(sent, failed)
    return len(sent)


def _record(sent: list[int], failed: dict[int, str]) -> None:
    now = utcnow()
    if sent:
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(sent))
                           .values(published_at=now, attempts=OutboxMessage.attempts + 1))
    for message_id, error in failed.items():
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                           .values(attempts=OutboxMessage.attempts + 1, last_error=error))
    db.session.commit()


def sweep(min_age_seconds: float = 0, batch: int = 500) -> int:
    """Publish unpublished messages older than ``min_age_seconds``; returns the count."""
    cutoff = utcnow() - timedelta(seconds=min_age_seconds)
    ids = db.session.scalars(
        sa.select(OutboxMessage.id).where(OutboxMessage.published_at.is_(None),
                                          OutboxMessage.created_at <= cutoff)
        .order_by(OutboxMessage.id).limit(batch)).all()
    return relay(list(ids))


def unpublished_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.published_at.is_(None)))
