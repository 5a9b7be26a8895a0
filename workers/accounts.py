"""Account tasks: password reset emails."""
from celery import shared_task

from traveler_portal.domain import password_reset
from workers.emailing import send_with_retries


@shared_task(bind=True, name="accounts.send_password_reset", queue="notifications",
             max_retries=8, acks_late=True)
def send_password_reset(self, user_id: int, request_id: str) -> bool:
    """Idempotent: each request for a link is emailed at most once. A failing mail server
    is tried again with backoff (5 s .. 5 min, about 15 minutes in all)."""
    return send_with_retries(self, password_reset.send_link, user_id, request_id)
