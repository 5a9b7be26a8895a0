"""Webhook deliveries to employers' endpoints."""
from celery import shared_task
from flask import current_app

from traveler_portal.domain import integrations, outbox
from workers import retrying

MAX_RETRIES = integrations.MAX_RETRIES  # 10 s, 20 s, 40 s ... capped at 10 minutes


@shared_task(bind=True, name="webhooks.deliver", queue="webhooks",
             max_retries=MAX_RETRIES, acks_late=True)
def deliver(self, delivery_id: int):
    """Idempotent: a delivered (or abandoned) delivery is not sent again, and a delivery
    is claimed before its POST, so concurrent copies of this task send it once. Failures
    are retried with exponential backoff (the wait kept in the outbox row, not in Redis);
    after the last one the delivery is marked failed in the employer's delivery log."""
    try:
        result = integrations.deliver(delivery_id)
    except integrations.DeliveryFailed as exc:
        done = retrying.tries(self)
        if done >= self.max_retries:
            integrations.give_up(delivery_id)
            return False
        return retrying.later(self, exc, current_backoff(done))
    # Another copy is sending it: the row stays open until that one confirms.
    return outbox.NOT_DONE if result == integrations.BUSY else result


def current_backoff(retries: int) -> int:
    return integrations.backoff(retries, current_app.config["WEBHOOK_RETRY_BASE_SECONDS"])
