"""What email tasks share: the failures worth another try, and the backoff between tries."""
import smtplib

from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

RETRYABLE = (smtplib.SMTPException, OSError, OperationalError, RedisError)


def send_with_retries(task, send, *args) -> bool:
    """Run an idempotent sender for a bound task: a failing mail server, database or Redis
    is retried with backoff (5 s .. 5 min); after the last try the result is False."""
    try:
        return send(*args)
    except RETRYABLE as exc:
        if task.request.retries >= task.max_retries:
            return False
        raise task.retry(exc=exc, countdown=min(300, 5 * 2 ** task.request.retries))
