"""Notification tasks: emails for case events, and the reminder sweep."""
import smtplib

from sqlalchemy.exc import OperationalError

from traveler_portal import locks, tasks
from traveler_portal.domain import notifications, public_events
from workers.base import portal_task


@portal_task(tasks.SEND_EMAIL, retry_on=(smtplib.SMTPException, OSError, OperationalError),
             max_retries=8,
             attempt_failed=lambda self, exc, args: notifications.record_attempt(
                 args[0], repr(exc)),
             gave_up=lambda self, exc, args: notifications.record_failure(args[0], repr(exc)))
def send_email(self, notification_id: int):
    """Idempotent: a notification already sent (or skipped) is not sent again. A mail
    server that fails is tried again with exponential backoff (5 s .. 5 min, the wait kept
    in the outbox row), each attempt recorded on the notification; after the last try it
    is marked ``failed``, where people can see it (``flask --app wsgi outbox
    resend-failed`` sends it again)."""
    return notifications.send_email(notification_id)


@portal_task(tasks.FAN_OUT_EVENT, retry_on=(OperationalError,), max_retries=8)
def fan_out_event(self, event_id: int, language: str = "en") -> bool:
    """Idempotent, keyed on the event: the traveler's notification, the employer admins'
    people updates and the webhook deliveries of one public event, written once however
    often the message runs (their emails and POSTs are tasks of their own)."""
    return public_events.fan_out(event_id, language)


@portal_task(tasks.REMINDERS)
def send_reminders(self) -> int:
    """Reminders before evidence deadlines and before travel without a decision; one run
    at a time (a second beat's run leaves at once)."""
    return locks.run_exclusively(tasks.REMINDERS.name, notifications.send_reminders)
