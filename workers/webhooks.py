"""Webhook deliveries to employers' endpoints."""
from celery import shared_task
from flask import current_app

from traveler_portal.domain import integrations

MAX_RETRIES = integrations.MAX_RETRIES  # 10 s, 20 s, 40 s ... capped at 10 minutes


@shared_task(bind=True, name="webhooks.deliver", queue="webhooks",
             max_retries=MAX_RETRIES, acks_late=True)
def deliver(self, delivery_id: int) -> bool:
    """Idempotent: a delivered (or abandoned) delivery is not sent again. Failures are
    retried with exponential backoff; after the last one the delivery is marked failed
    in the employer's delivery log."""
    try:
        return integrations.deliver(delivery_id)
    except integrations.DeliveryFailed as exc:
        if self.request.retries >= self.max_retries:
            integrations.give_up(delivery_id)
            return False
        countdown = current_backoff(self.request.retries)
        raise self.retry(exc=exc, countdown=countdown)


def current_backoff(retries: int) -> int:
    return integrations.backoff(retries, current_app.config["WEBHOOK_RETRY_BASE_SECONDS"])
