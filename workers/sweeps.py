"""Periodic sweepers (celery beat): re-drive work that a crash or an outage left behind.
Each runs under a Redis lock (traveler_portal/locks.py): two beats firing at once give one
run that does all the work and one that leaves. The locks expire quickly, so a worker
killed mid-sweep delays the next sweep by seconds, not minutes."""
from celery import shared_task
from flask import current_app

from traveler_portal import locks
from traveler_portal.domain import evidence, outbox, retention, routing


@shared_task(name="outbox.sweep", queue="periodic")
def sweep_outbox() -> int:
    """Publish outbox messages the after-commit relay could not (e.g. Redis was down),
    and again those not confirmed by their task in time (lost with a worker or a wiped
    Redis, or a retry that is due)."""
    return locks.run_exclusively("outbox.sweep", outbox.sweep, 5, timeout=20)


@shared_task(name="petitions.redrive_stuck", queue="periodic")
def redrive_stuck() -> int:
    """Re-publish routing for petitions submitted long ago and still not routed."""
    return locks.run_exclusively("petitions.redrive_stuck", routing.redrive_stuck,
                                 current_app.config["STUCK_SUBMISSION_SECONDS"], timeout=30)


@shared_task(name="petitions.evidence_deadlines", queue="periodic")
def evidence_deadlines() -> int:
    """Send requests for evidence unanswered past their deadline back to their officer."""
    return locks.run_exclusively("petitions.evidence_deadlines", evidence.sweep_deadlines,
                                 timeout=120)


@shared_task(name="petitions.purge_abandoned_drafts", queue="periodic")
def purge_abandoned_drafts() -> int:
    """Delete drafts untouched for DRAFT_RETENTION_DAYS, with their files (beat, daily)."""
    return locks.run_exclusively("petitions.purge_abandoned_drafts",
                                 retention.purge_abandoned_drafts, timeout=600)
