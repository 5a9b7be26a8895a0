"""Employer tasks: the weekly digest and the daily people updates (beat, queue
"periodic") and bulk imports of employees (queue "imports", so a long import never delays
notification emails)."""
from datetime import date

from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from traveler_portal import locks, tasks
from traveler_portal.domain import digest, employee_imports, outbox, people_updates
from traveler_portal.models.users import utcnow
from workers.base import portal_task
from workers.emailing import RETRYABLE


def _hourly_backoff(self, tries: int) -> int:
    return 60 * 2 ** tries


@portal_task(tasks.WEEKLY_DIGEST, retry_on=RETRYABLE, max_retries=3,
             backoff=_hourly_backoff)
def weekly_digest(self, today: str | None = None):
    """This ISO week's digest to every opted-in employer user; once per organization,
    person and week (a Redis key per message), so a rerun sends only what failed."""
    day = date.fromisoformat(today) if today else utcnow().date()
    return locks.run_exclusively(tasks.WEEKLY_DIGEST.name, digest.send_weekly, day)


@portal_task(tasks.IMPORT_EMPLOYEES, retry_on=(OperationalError, RedisError), max_retries=5)
def import_employees(self, import_id: int):
    """Validate the import's rows and invite the accepted ones, batch by batch; a rerun
    resumes after the last committed batch."""
    state = locks.run_exclusively(f"employers.import:{import_id}", employee_imports.run,
                                  import_id, timeout=3600)
    # None: another run holds the import; its outbox row stays open until that run ends
    # (if that worker died, the re-drive sends the import again and it resumes).
    return outbox.NOT_DONE if state is None else state


@portal_task(tasks.DAILY_PEOPLE_UPDATES, retry_on=RETRYABLE, max_retries=3,
             backoff=_hourly_backoff)
def daily_people_updates(self, today: str | None = None):
    """Yesterday's changes to their people's petitions, to each admin who chose a daily
    summary; once per admin and day (a Redis key per message)."""
    day = date.fromisoformat(today) if today else utcnow().date()
    return locks.run_exclusively(tasks.DAILY_PEOPLE_UPDATES.name, people_updates.send_daily,
                                 day)
