"""The transactional outbox: commit the message with the change, publish after commit,
and keep the row open until the task confirms the side effect is done.

``enqueue`` adds a row to the caller's transaction, already marked published (the common
case costs no write after the commit). ``uow.commit`` calls ``relay_committed`` for the
rows it just committed, and marks unpublished again those the broker did not take. Each
message goes out with the Celery task id ``outbox-<row id>-<random>``; the task confirms
the row in its own transaction when it succeeds (``confirm_with_work``; workers/base.py),
or postpones it when the task asks to be tried again later (``postpone``: the retry waits
in the database, not in Redis). ``sweep`` (a beat task) publishes rows never published,
and publishes again every open row whose ``redrive_after`` has passed: a message lost
with a dead worker or a wiped Redis comes back after its queue's re-drive delay. A
message may therefore run twice: every task is idempotent (and claims its row before a
side effect), so that is safe; losing one is not.
"""
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from kombu.exceptions import OperationalError as BrokerError

from ..extensions import db
from ..models import OutboxMessage
from ..models.users import utcnow

log = logging.getLogger(__name__)
PENDING_KEY = "outbox_pending"
CONFIRM_KEY = "outbox_confirm"
# What a task returns when its row must stay open (another run holds the work, or the
# retry was postponed): the worker does not confirm the row.
NOT_DONE = "not-done"
_TASK_ID = re.compile(r"^outbox-(\d+)-[0-9a-f]+$")


def row_values(task_name: str, queue: str, now) -> dict:
    """A new row's columns but its arguments (``enqueue``; a service writing its row in
    SQL with the change, ``workflow.apply_in_sql``)."""
    values = {"task_name": task_name, "queue": queue, "created_at": now}
    if not current_app.config.get("OUTBOX_RELAY_DEFERRED"):
        # Written as published, since the relay publishes it right after the commit: the
        # relay then needs no transaction of its own (``relay_committed``). If publishing
        # fails, the relay clears this again and the sweep publishes it; if the process
        # dies between the commit and the publish, the row comes back after its queue's
        # re-drive delay, as a message the broker lost does.
        values.update(published_at=now, attempts=1,
                      redrive_after=now + timedelta(seconds=redrive_delay(queue)))
    return values


def enqueue(task_name: str, args: list, queue: str) -> OutboxMessage:
    message = OutboxMessage(args=list(args), **row_values(task_name, queue, utcnow()))
    # What the relay sends, kept outside the mapped state: a savepoint released inside the
    # transaction expires every row, and reading them back would cost a query each.
    message.relay_copy = (task_name, list(args), queue)
    db.session.add(message)
    db.session.info.setdefault(PENDING_KEY, []).append(message)
    return message


def task_id_for(message_id: int) -> str:
    return f"outbox-{message_id}-{uuid.uuid4().hex[:12]}"


def message_id_of(task_id: str | None) -> int | None:
    """The outbox row a Celery task id names (None for tasks not sent by the outbox)."""
    match = _TASK_ID.match(task_id or "")
    return int(match.group(1)) if match else None


def redrive_delay(queue: str) -> float:
    """Seconds an open row of ``queue`` waits after publishing before it is sent again:
    longer than a message normally waits plus the task's longest run (see config)."""
    delays = current_app.config["OUTBOX_REDRIVE_SECONDS"]
    # A per-country queue ("routing.US") takes its family's delay unless it has its own.
    family = queue.split(".", 1)[0]
    return float(delays.get(queue, delays.get(family, delays["default"])))


def publish_task(task_name: str, args: list, queue: str, task_id: str | None = None) -> None:
    """Send a task by name; raises ``BrokerError`` quickly when the broker is away."""
    celery = current_app.extensions["celery"]
    celery.send_task(task_name, args=args, queue=queue, retry=False, task_id=task_id)


@dataclass(frozen=True)
class Committed:
    """What the relay needs of a row its own transaction just committed: read from the
    row in memory before the commit, so publishing it costs no query."""
    id: int
    task_name: str
    args: list
    queue: str


def committed(messages: list[OutboxMessage]) -> list[Committed]:
    """The pending rows of a transaction about to commit (flushed: their ids are known,
    from the identity map, without a query even when the rows were expired)."""
    out = []
    for m in messages:
        if isinstance(m, Committed):  # written in SQL (``pending``): known already
            out.append(m)
            continue
        copy = getattr(m, "relay_copy", None) or (m.task_name, list(m.args), m.queue)
        out.append(Committed(sa.inspect(m).identity[0], *copy))
    return out


def relay(message_ids: list[int], redrive: bool = False) -> int:
    """Publish the given messages (already committed); returns how many went out. Without
    ``redrive`` only those never published; with it, open rows that are due again."""
    if not message_ids or current_app.config.get("OUTBOX_RELAY_DEFERRED"):
        return 0  # deferred (seed-demo before the broker runs): the sweep publishes them
    # Plain columns, not rows: the commit below expires ORM rows, and reading them again
    # would cost a statement per message.
    query = sa.select(OutboxMessage.id, OutboxMessage.task_name, OutboxMessage.args,
                      OutboxMessage.queue).where(OutboxMessage.id.in_(message_ids),
                                                 OutboxMessage.confirmed_at.is_(None))
    if not redrive:
        query = query.where(OutboxMessage.published_at.is_(None))
    messages = [Committed(*row) for row in
                db.session.execute(query.order_by(OutboxMessage.id)).all()]
    # Read, then end the transaction before talking to the broker: on SQLite an open
    # transaction holds the database's write lock.
    db.session.commit()
    return _publish(messages)


def relay_committed(messages: list[Committed]) -> int:
    """Publish the rows the caller's transaction has just committed (``uow.commit``): the
    hot path of every submission and routing. Nothing is read back and, when all goes
    out, nothing is written: the rows were committed as published (``enqueue``). Those
    the broker did not take are written back as unpublished, in one statement, for the
    sweep."""
    if not messages or current_app.config.get("OUTBOX_RELAY_DEFERRED"):
        return 0  # deferred (seed-demo before the broker runs): the sweep publishes them
    if db.session().in_transaction():
        db.session.commit()  # nothing of the caller's is open: on SQLite, free the lock
    # A submission's routing goes out before its "received" email: the petition waits on
    # it, and the messages are independent of each other.
    ordered = sorted(messages, key=lambda m: not m.queue.startswith("routing"))
    for sent, message in enumerate(ordered):
        try:
            publish_task(message.task_name, message.args, message.queue,
                         task_id_for(message.id))
        except (BrokerError, OSError) as exc:
            log.warning("broker unreachable, %s message(s) kept for the outbox sweep: "
                        "id=%s task=%s (%s)", len(ordered) - sent, message.id,
                        message.task_name, exc)
            _unpublished([m.id for m in ordered[sent:]], str(exc)[:500])
            return sent  # the broker is away; the sweeper will send the rest
    return len(ordered)


def _unpublished(message_ids: list[int], error: str) -> None:
    """Rows committed as published that the broker did not take: never published after
    all (not counted towards OUTBOX_MAX_PUBLISHES), for the sweep to send."""
    db.session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.id.in_(message_ids), OutboxMessage.confirmed_at.is_(None)).values(
        published_at=None, redrive_after=None, last_error=error,
        attempts=OutboxMessage.attempts - 1))
    db.session.commit()


def _publish(messages: list[Committed]) -> int:
    sent, failed = [], {}
    for message in messages:
        try:
            publish_task(message.task_name, message.args, message.queue,
                         task_id_for(message.id))
            sent.append(message)
        except (BrokerError, OSError) as exc:
            failed[message.id] = str(exc)[:500]
            log.warning("broker unreachable, message kept for the outbox sweep: id=%s "
                        "task=%s (%s)", message.id, message.task_name, exc)
            break  # the broker is away; the sweeper will retry the rest
    _record(sent, failed)
    return len(sent)


def _record(sent: list[Committed], failed: dict[int, str]) -> None:
    now = utcnow()
    by_delay: dict[float, list[int]] = {}
    for message in sent:
        by_delay.setdefault(redrive_delay(message.queue), []).append(message.id)
    for delay, ids in by_delay.items():
        # Not guarded on confirmed_at: a fast worker may have confirmed the row already,
        # and it must still read as published (a confirmed row is never re-driven).
        db.session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.id.in_(ids)).values(
            published_at=now, attempts=OutboxMessage.attempts + 1,
            redrive_after=now + timedelta(seconds=delay)))
    for message_id, error in failed.items():
        # A re-drive that found the broker away is not counted: only messages actually
        # published count towards OUTBOX_MAX_PUBLISHES.
        counted = sa.case((OutboxMessage.published_at.is_(None), 1), else_=0)
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                           .values(attempts=OutboxMessage.attempts + counted,
                                   last_error=error))
    db.session.commit()


def sweep(min_age_seconds: float = 0, batch: int = 500) -> int:
    """Publish unpublished messages older than ``min_age_seconds``, and open messages
    whose re-drive time has come; returns the count."""
    now = utcnow()
    cutoff = now - timedelta(seconds=min_age_seconds)
    fresh = db.session.scalars(
        sa.select(OutboxMessage.id).where(OutboxMessage.published_at.is_(None),
                                          OutboxMessage.confirmed_at.is_(None),
                                          OutboxMessage.created_at <= cutoff)
        .order_by(OutboxMessage.id).limit(batch)).all()
    _give_up_endless(now)
    due = db.session.scalars(
        sa.select(OutboxMessage.id).where(OutboxMessage.confirmed_at.is_(None),
                                          OutboxMessage.published_at.is_not(None),
                                          OutboxMessage.redrive_after <= now)
        .order_by(OutboxMessage.redrive_after).limit(batch)).all()
    if due:
        log.info("outbox re-drive: %s open message(s) past their re-drive time", len(due))
    return relay(list(fresh)) + relay(list(due), redrive=True)


def _give_up_endless(now) -> None:
    """A row published OUTBOX_MAX_PUBLISHES times and never confirmed has a task that fails
    every time (a bug, not an outage): it is marked failed for doctor and an operator,
    instead of being sent for ever."""
    limit = current_app.config["OUTBOX_MAX_PUBLISHES"]
    result = db.session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.confirmed_at.is_(None), OutboxMessage.attempts >= limit,
        OutboxMessage.redrive_after <= now).values(
        failed_at=now, confirmed_at=now,
        last_error=sa.func.coalesce(OutboxMessage.last_error, "never confirmed")))
    db.session.commit()
    if result.rowcount:
        log.error("outbox: %s message(s) published %s times and never confirmed, marked "
                  "failed (see the worker log; `outbox resend-failed` sends them again)",
                  result.rowcount, limit)


def pending(message: Committed) -> None:
    """A row the caller wrote in SQL in its transaction: published after the commit, as
    ``enqueue``'s rows are."""
    db.session.info.setdefault(PENDING_KEY, []).append(message)


def offer_confirmation(message_id: int | None) -> None:
    """The task's boundary (workers/base.py), before the task runs: the row that sent it,
    for a service that writes its change in one statement to close it in that statement
    (``take_confirmation``) instead of the boundary's own UPDATE after it."""
    db.session.info[CONFIRM_KEY] = message_id


def take_confirmation() -> int | None:
    """The row to close with the caller's change (None: none, or already taken). The
    caller must then close it whatever the outcome, as the boundary would have: only a
    task returning ``NOT_DONE`` leaves its row open, and such a task takes nothing."""
    return db.session.info.pop(CONFIRM_KEY, None)


def confirm_with_work(message_id: int | None) -> None:
    """Close the row in the caller's transaction, so the work and its confirmation
    commit together or not at all (and the worker spends no transaction of its own on
    it): every task's boundary does this when the task succeeds (workers/base.py). None
    (a task not sent by the outbox): nothing."""
    if message_id is not None:
        db.session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.id == message_id, OutboxMessage.confirmed_at.is_(None))
            .values(confirmed_at=utcnow()))


def tries_of(message_id: int) -> int:
    return db.session.scalar(sa.select(OutboxMessage.tries)
                             .where(OutboxMessage.id == message_id)) or 0


def postpone(message_id: int, seconds: float, error: str) -> None:
    """A failed attempt: recorded, and the row re-published ``seconds`` from now."""
    db.session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.confirmed_at.is_(None)).values(
        tries=OutboxMessage.tries + 1, last_error=error[:500],
        redrive_after=utcnow() + timedelta(seconds=seconds)))
    db.session.commit()


def give_up(message_id: int, error: str) -> None:
    """The task's last try failed: the row closes as failed, its error kept."""
    now = utcnow()
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        tries=OutboxMessage.tries + 1, last_error=error[:500], failed_at=now,
        confirmed_at=now))
    db.session.commit()


def reopen_failed() -> int:
    """Every row whose task gave up is opened again and published by the next sweep."""
    result = db.session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.failed_at.is_not(None)).values(
        failed_at=None, confirmed_at=None, tries=0, attempts=0, redrive_after=utcnow()))
    db.session.commit()
    return result.rowcount


def failed_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.failed_at.is_not(None)))


def unpublished_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.published_at.is_(None)))


def backlog() -> tuple[int, object]:
    """Open rows (not yet confirmed) and the creation time of the oldest one."""
    open_rows = OutboxMessage.confirmed_at.is_(None)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                              .where(open_rows))
    oldest = db.session.scalar(sa.select(OutboxMessage.created_at).where(open_rows)
                               .order_by(OutboxMessage.created_at).limit(1))
    return count, oldest
