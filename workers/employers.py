"""Employer tasks: the weekly digest (beat, queue "periodic") and bulk imports of
employees (queue "imports", so a long import never delays notification emails)."""
import smtplib
from datetime import date

from celery import shared_task
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from traveler_portal import locks
from traveler_portal.domain import digest, employee_imports, outbox, people_updates
from traveler_portal.models.users import utcnow
from workers import retrying

RETRYABLE = (smtplib.SMTPException, OSError, OperationalError, RedisError)


@shared_task(bind=True, name="employers.weekly_digest", queue="periodic", max_retries=3)
def weekly_digest(self, today: str | None = None):
    """This ISO week's digest to every opted-in employer user; once per organization,
    person and week (a Redis key per message), so a rerun sends only what failed."""
    day = date.fromisoformat(today) if today else utcnow().date()
    try:
        return locks.run_exclusively("employers.weekly_digest", digest.send_weekly, day)
    except RETRYABLE as exc:
        return retrying.later(self, exc, 60 * 2 ** self.request.retries)


@shared_task(bind=True, name="employers.import_employees", queue="imports", max_retries=5,
             acks_late=True)
def import_employees(self, import_id: int):
    """Validate the import's rows and invite the accepted ones, batch by batch; a rerun
    resumes after the last committed batch."""
    try:
        state = locks.run_exclusively(f"employers.import:{import_id}", employee_imports.run,
                                      import_id, timeout=3600)
    except (OperationalError, RedisError) as exc:
        return retrying.later(self, exc, 5 * 2 ** retrying.tries(self))
    # None: another run holds the import; its outbox row stays open until that run ends
    # (if that worker died, the re-drive sends the import again and it resumes).
    return outbox.NOT_DONE if state is None else state


@shared_task(bind=True, name="employers.daily_people_updates", queue="periodic",
             max_retries=3)
def daily_people_updates(self, today: str | None = None):
    """Yesterday's changes to their people's petitions, to each admin who chose a daily
    summary; once per admin and day (a Redis key per message)."""
    day = date.fromisoformat(today) if today else utcnow().date()
    try:
        return locks.run_exclusively("employers.daily_people_updates",
                                     people_updates.send_daily, day)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=60 * 2 ** self.request.retries)
