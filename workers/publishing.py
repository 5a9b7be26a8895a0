"""Published figures (celery beat, queue "periodic"): the processing times page's table,
recomputed from live data so no page view scans the petitions."""
from traveler_portal import locks, tasks
from traveler_portal.domain import processing_times
from workers.base import portal_task


@portal_task(tasks.PROCESSING_TIMES)
def recompute_processing_times(self):
    """Median and 80th-percentile days to a decision per queue and category."""
    return locks.run_exclusively(tasks.PROCESSING_TIMES.name, processing_times.recompute)
