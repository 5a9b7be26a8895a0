"""Notification tasks: emails for case events, and the reminder sweep."""
import smtplib

from celery import shared_task
from sqlalchemy.exc import OperationalError

from traveler_portal.domain import notifications

RETRYABLE = (smtplib.SMTPException, OSError, OperationalError)


@shared_task(bind=True, name="notifications.send_email", queue="notifications",
             max_retries=6, acks_late=True)
def send_email(self, notification_id: int) -> bool:
    """Idempotent: a notification already sent (or skipped) is not sent again. A mail
    server that fails is retried with exponential backoff (5 s .. 5 min); after the last
    try the notification is marked ``failed``, where people can see it."""
    try:
        return notifications.send_email(notification_id)
    except RETRYABLE as exc:
        if self.request.retries >= self.max_retries:
            notifications.record_failure(notification_id, repr(exc))
            return False
        raise self.retry(exc=exc, countdown=min(300, 5 * 2 ** self.request.retries))


@shared_task(name="notifications.reminders", queue="periodic")
def send_reminders() -> int:
    """Reminders before evidence deadlines and before travel without a decision."""
    return notifications.send_reminders()
