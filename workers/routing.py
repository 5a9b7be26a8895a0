"""Routing tasks: a submitted petition goes to its adjudication queue."""
from celery import shared_task
from sqlalchemy.exc import OperationalError

from traveler_portal.domain import routing


# Published to "routing.<country>" (domain.routing.route_queue); "routing" is the default
# for a message published without a queue.
@shared_task(name="petitions.route", queue="routing", autoretry_for=(OperationalError,),
             max_retries=5, retry_backoff=2, retry_backoff_max=15, retry_jitter=True)
# Retry waits stay below the broker's visibility timeout (config.BROKER_VISIBILITY_TIMEOUT),
# or Redis would hand the waiting message to a second worker.
def route_petition(petition_id: int) -> bool:
    """Idempotent: a petition already routed is left as it is. After the retries run out
    the petition stays ``submitted`` and the re-drive sweep tries again later."""
    return routing.route(petition_id)
