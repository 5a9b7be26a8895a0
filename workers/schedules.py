"""Scheduled casework (celery beat, queue "periodic"): deadline breaches escalated, holds
resumed on their date, approvals past their validity expired. Each task runs under a
Redis lock (one run at a time) and its domain function is idempotent."""
from celery import shared_task

from traveler_portal import locks
from traveler_portal.domain import schedules


@shared_task(name="casework.escalate_breaches", queue="periodic")
def escalate_breaches():
    """Past-due cases: priority raised, supervisors emailed (once per breach)."""
    return locks.run_exclusively("casework.escalate_breaches", schedules.escalate_breaches)


@shared_task(name="casework.resume_holds", queue="periodic")
def resume_holds():
    """Cases whose hold date has come go back to their queue."""
    return locks.run_exclusively("casework.resume_holds", schedules.resume_holds)


@shared_task(name="casework.expire_approvals", queue="periodic")
def expire_approvals():
    """Approvals past their validity become ``expired``."""
    return locks.run_exclusively("casework.expire_approvals", schedules.expire_approvals)
