"""Scheduled casework (celery beat, queue "periodic"): deadline breaches escalated, holds
resumed on their date, approvals past their validity expired. Each task runs under a
Redis lock (one run at a time) and its domain function is idempotent."""

from traveler_portal import locks, tasks
from traveler_portal.domain import schedules
from workers.base import portal_task


@portal_task(tasks.ESCALATE_BREACHES)
def escalate_breaches(self):
    """Past-due cases: priority raised, supervisors emailed (once per breach)."""
    return locks.run_exclusively(tasks.ESCALATE_BREACHES.name, schedules.escalate_breaches)


@portal_task(tasks.RESUME_HOLDS)
def resume_holds(self):
    """Cases whose hold date has come go back to their queue."""
    return locks.run_exclusively(tasks.RESUME_HOLDS.name, schedules.resume_holds)


@portal_task(tasks.EXPIRE_APPROVALS)
def expire_approvals(self):
    """Approvals past their validity become ``expired``."""
    return locks.run_exclusively(tasks.EXPIRE_APPROVALS.name, schedules.expire_approvals)
