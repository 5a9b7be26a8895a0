"""Periodic sweepers (celery beat): re-drive work that a crash or an outage left behind.
Each runs under a Redis lock (traveler_portal/locks.py): two beats firing at once give one
run that does all the work and one that leaves. The locks expire quickly, so a worker
killed mid-sweep delays the next sweep by seconds, not minutes."""
from flask import current_app

from traveler_portal import locks, tasks
from traveler_portal.domain import evidence, outbox, retention, routing
from workers.base import portal_task


@portal_task(tasks.OUTBOX_SWEEP)
def sweep_outbox(self) -> int:
    """Publish outbox messages the after-commit relay could not (e.g. Redis was down),
    and again those not confirmed by their task in time (lost with a worker or a wiped
    Redis, or a retry that is due)."""
    return locks.run_exclusively(tasks.OUTBOX_SWEEP.name, outbox.sweep, 5, timeout=20)


@portal_task(tasks.REDRIVE_STUCK)
def redrive_stuck(self) -> int:
    """Re-publish routing for petitions submitted long ago and still not routed."""
    return locks.run_exclusively(tasks.REDRIVE_STUCK.name, routing.redrive_stuck,
                                 current_app.config["STUCK_SUBMISSION_SECONDS"], timeout=30)


@portal_task(tasks.EVIDENCE_DEADLINES)
def evidence_deadlines(self) -> int:
    """Send requests for evidence unanswered past their deadline back to their officer."""
    return locks.run_exclusively(tasks.EVIDENCE_DEADLINES.name, evidence.sweep_deadlines,
                                 timeout=120)


@portal_task(tasks.PURGE_DRAFTS)
def purge_abandoned_drafts(self) -> int:
    """Delete drafts untouched for DRAFT_RETENTION_DAYS, with their files (beat, daily)."""
    return locks.run_exclusively(tasks.PURGE_DRAFTS.name,
                                 retention.purge_abandoned_drafts, timeout=600)
