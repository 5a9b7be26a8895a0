"""Published figures (celery beat, queue "periodic"): the processing times page's table
and each organization's dashboard figures, recomputed from live data so no page view
scans the petitions or counts the people; and the queues' checkpoints, from which a list
of petitions counts each one's place in its queue."""
from traveler_portal import locks, tasks
from traveler_portal.domain import organization_figures, processing_times, queue_ranks
from workers.base import portal_task


@portal_task(tasks.PROCESSING_TIMES)
def recompute_processing_times(self):
    """Median and 80th-percentile days to a decision per queue and category."""
    return locks.run_exclusively(tasks.PROCESSING_TIMES.name, processing_times.recompute)


@portal_task(tasks.ORGANIZATION_FIGURES)
def recompute_organization_figures(self):
    """Each organization's travelers, counted for its dashboard."""
    return locks.run_exclusively(tasks.ORGANIZATION_FIGURES.name,
                                 organization_figures.recompute)


@portal_task(tasks.QUEUE_CHECKPOINTS)
def recompute_queue_checkpoints(self):
    """Every queue's waiting cases numbered in claim order (domain/queue_ranks.py)."""
    return locks.run_exclusively(tasks.QUEUE_CHECKPOINTS.name, queue_ranks.recompute)

