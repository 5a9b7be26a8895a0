"""Retries that survive the broker: a task sent by the outbox waits for its next try in
its outbox row (``outbox.postpone``; the sweep re-publishes it when due), so a retry
countdown never sits in Redis longer than the visibility timeout, and a wiped Redis
loses no retry. Tasks sent some other way use Celery's retry, capped below the
visibility timeout."""
from flask import current_app

from traveler_portal.domain import outbox


def tries(task) -> int:
    """Failed attempts so far (0 on the first run)."""
    message_id = outbox.message_id_of(task.request.id)
    if message_id is None:
        return task.request.retries
    return max(outbox.tries_of(message_id), task.request.retries)


def later(task, exc: Exception, countdown: float):
    """Try ``task`` again in ``countdown`` seconds: returns ``outbox.NOT_DONE`` (return it
    from the task) or raises Celery's ``Retry``."""
    message_id = outbox.message_id_of(task.request.id)
    if message_id is not None:
        outbox.postpone(message_id, countdown, repr(exc))
        return outbox.NOT_DONE
    cap = current_app.config["BROKER_RETRY_MAX_SECONDS"]
    raise task.retry(exc=exc, countdown=min(countdown, cap))
