"""What email tasks share: the failures worth another try, and the backoff between tries."""
import smtplib

from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from traveler_portal import mail
from traveler_portal.domain import outbox
from workers import retrying

RETRYABLE = (smtplib.SMTPException, OSError, OperationalError, RedisError)


def backoff(tries: int) -> int:
    return min(300, 5 * 2 ** tries)


def send_with_retries(task, send, *args) -> bool | str:
    """Run an idempotent sender for a bound task: a failing mail server, database or Redis
    is tried again with backoff (5 s .. 5 min), each failure recorded on the outbox row;
    after the last try the row is marked failed (an operator can send it again)."""
    try:
        result = send(*args)
    except RETRYABLE as exc:
        done = retrying.tries(task)
        if done >= task.max_retries:
            message_id = outbox.message_id_of(task.request.id)
            if message_id is not None:
                outbox.give_up(message_id, repr(exc))
            return False
        return retrying.later(task, exc, backoff(done))
    # Another run is sending it: the row stays open until that one confirms.
    return outbox.NOT_DONE if result == mail.BUSY else result
