"""Routing tasks: a submitted petition goes to its adjudication queue."""
from sqlalchemy.exc import OperationalError

from traveler_portal import tasks
from traveler_portal.domain import routing
from workers.base import portal_task


# Published to "routing.<country>" (domain.routing.route_queue); "routing" is the default
# for a message published without a queue. Waits stay short: a petition must not sit in
# "received" for long (config.BROKER_VISIBILITY_TIMEOUT bounds them anyway).
@portal_task(tasks.ROUTE, retry_on=(OperationalError,), max_retries=5,
             backoff=lambda self, tries: min(15, 2 ** tries))
def route_petition(self, petition_id: int) -> bool:
    """Idempotent: a petition already routed is left as it is. After the retries run out
    the petition stays ``submitted`` and the re-drive sweep tries again later. The
    outbox row that sent it is confirmed in the routing's own transaction (workers/base)."""
    return routing.route(petition_id)
