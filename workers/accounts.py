"""Account tasks: password reset emails and security notices."""
from celery import shared_task

from traveler_portal.domain import password_reset, registration, security_notices
from workers.emailing import send_with_retries


@shared_task(bind=True, name="accounts.send_password_reset", queue="notifications",
             max_retries=8, acks_late=True)
def send_password_reset(self, user_id: int, request_id: str) -> bool:
    """Idempotent: each request for a link is emailed at most once. A failing mail server
    is tried again with backoff (5 s .. 5 min, about 15 minutes in all)."""
    return send_with_retries(self, password_reset.send_link, user_id, request_id)


@shared_task(bind=True, name="accounts.send_security_notice", queue="notifications",
             max_retries=6, acks_late=True)
def send_security_notice(self, user_id: int, kind: str, request_id: str,
                         params: dict | None = None) -> bool:
    """Idempotent: each notice (lockout, registration or invitation for an address that
    has an account) is emailed at most once."""
    return send_with_retries(self, security_notices.send, user_id, kind, request_id,
                             params or {})


@shared_task(bind=True, name="accounts.send_registration_link", queue="notifications",
             max_retries=6, acks_late=True)
def send_registration_link(self, token: str) -> bool:
    """Idempotent: each registration's link is emailed at most once."""
    return send_with_retries(self, registration.send_link, token)
