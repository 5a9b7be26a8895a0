"""Organization tasks: invitation emails."""
import smtplib

from celery import shared_task
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from traveler_portal.domain import invitations

RETRYABLE = (smtplib.SMTPException, OSError, OperationalError, RedisError)


@shared_task(bind=True, name="organizations.send_invitation", queue="notifications",
             max_retries=6, acks_late=True)
def send_invitation(self, invitation_id: int) -> bool:
    """Idempotent: an invitation is emailed at most once (and never once it is used,
    revoked or expired). A failing mail server is retried with backoff (5 s .. 5 min)."""
    try:
        return invitations.send_invitation(invitation_id)
    except RETRYABLE as exc:
        if self.request.retries >= self.max_retries:
            return False
        raise self.retry(exc=exc, countdown=min(300, 5 * 2 ** self.request.retries))
