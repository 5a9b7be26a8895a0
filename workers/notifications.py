"""Notification tasks: emails for case events, and the reminder sweep."""
import smtplib

from celery import shared_task
from sqlalchemy.exc import OperationalError

from traveler_portal import locks
from traveler_portal.domain import notifications
from workers import retrying
from workers.emailing import backoff

RETRYABLE = (smtplib.SMTPException, OSError, OperationalError)


@shared_task(bind=True, name="notifications.send_email", queue="notifications",
             max_retries=8, acks_late=True)
def send_email(self, notification_id: int):
    """Idempotent: a notification already sent (or skipped) is not sent again. A mail
    server that fails is tried again with exponential backoff (5 s .. 5 min, the wait kept
    in the outbox row), each attempt recorded on the notification; after the last try it
    is marked ``failed``, where people can see it (``flask --app wsgi outbox
    resend-failed`` sends it again)."""
    try:
        return notifications.send_email(notification_id)
    except RETRYABLE as exc:
        done = retrying.tries(self)
        if done >= self.max_retries:
            notifications.record_failure(notification_id, repr(exc))
            return False
        notifications.record_attempt(notification_id, repr(exc))
        return retrying.later(self, exc, backoff(done))


@shared_task(name="notifications.reminders", queue="periodic")
def send_reminders() -> int:
    """Reminders before evidence deadlines and before travel without a decision; one run
    at a time (a second beat's run leaves at once)."""
    return locks.run_exclusively("notifications.reminders", notifications.send_reminders)
