"""Periodic sweepers (celery beat): re-drive work that a crash or an outage left behind."""
from celery import shared_task
from flask import current_app

from traveler_portal.domain import evidence, outbox, retention, routing


@shared_task(name="outbox.sweep", queue="periodic")
def sweep_outbox() -> int:
    """Publish outbox messages the after-commit relay could not (e.g. Redis was down)."""
    return outbox.sweep(min_age_seconds=5)


@shared_task(name="petitions.redrive_stuck", queue="periodic")
def redrive_stuck() -> int:
    """Re-publish routing for petitions submitted long ago and still not routed."""
    return routing.redrive_stuck(current_app.config["STUCK_SUBMISSION_SECONDS"])


@shared_task(name="petitions.evidence_deadlines", queue="periodic")
def evidence_deadlines() -> int:
    """Send requests for evidence unanswered past their deadline back to their officer."""
    return evidence.sweep_deadlines()


@shared_task(name="petitions.purge_abandoned_drafts", queue="periodic")
def purge_abandoned_drafts() -> int:
    """Delete drafts untouched for DRAFT_RETENTION_DAYS, with their files (beat, daily)."""
    return retention.purge_abandoned_drafts()
