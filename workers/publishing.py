"""Published figures (celery beat, queue "periodic"): the processing times page's table,
recomputed from live data so no page view scans the petitions."""
from celery import shared_task

from traveler_portal import locks
from traveler_portal.domain import processing_times


@shared_task(name="publishing.processing_times", queue="periodic")
def recompute_processing_times():
    """Median and 80th-percentile days to a decision per queue and category."""
    return locks.run_exclusively("publishing.processing_times", processing_times.recompute)
