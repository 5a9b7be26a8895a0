"""Webhook deliveries to employers' endpoints."""
from flask import current_app

from traveler_portal import tasks
from traveler_portal.domain import integrations, outbox
from workers.base import portal_task


@portal_task(tasks.DELIVER_WEBHOOK, retry_on=(integrations.DeliveryFailed,),
             max_retries=integrations.MAX_RETRIES,  # 10 s, 20 s, 40 s ... capped
             backoff=lambda self, tries: integrations.backoff(
                 tries, current_app.config["WEBHOOK_RETRY_BASE_SECONDS"]),
             gave_up=lambda self, exc, args: integrations.give_up(args[0]))
def deliver(self, delivery_id: int):
    """Idempotent: a delivered (or abandoned) delivery is not sent again, and a delivery
    is claimed before its POST, so concurrent copies of this task send it once. Failures
    are retried with exponential backoff (the wait kept in the outbox row, not in Redis);
    after the last one the delivery is marked failed in the employer's delivery log."""
    result = integrations.deliver(delivery_id)
    # Another copy is sending it: the row stays open until that one confirms.
    return outbox.NOT_DONE if result == integrations.BUSY else result
