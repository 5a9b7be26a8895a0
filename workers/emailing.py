"""What email tasks share: the failures worth another try, and the answer of a sender
that found another run already sending the same message."""
import smtplib

from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from traveler_portal import mail
from traveler_portal.domain import outbox

RETRYABLE = (smtplib.SMTPException, OSError, OperationalError, RedisError)


def done_unless_busy(result):
    """Another run is sending it: the outbox row stays open until that one confirms."""
    return outbox.NOT_DONE if result == mail.BUSY else result
