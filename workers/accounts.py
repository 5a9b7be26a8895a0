"""Account tasks: password reset emails, security notices, registration links."""
from traveler_portal import tasks
from traveler_portal.domain import password_reset, registration, security_notices
from workers.base import portal_task
from workers.emailing import RETRYABLE, done_unless_busy


@portal_task(tasks.SEND_PASSWORD_RESET, retry_on=RETRYABLE, max_retries=8)
def send_password_reset(self, user_id: int, request_id: str) -> bool:
    """Idempotent: each request for a link is emailed at most once. A failing mail server
    is tried again with backoff (5 s .. 5 min, about 15 minutes in all)."""
    return done_unless_busy(password_reset.send_link(user_id, request_id))


@portal_task(tasks.SEND_SECURITY_NOTICE, retry_on=RETRYABLE, max_retries=6)
def send_security_notice(self, user_id: int, kind: str, request_id: str,
                         params: dict | None = None) -> bool:
    """Idempotent: each notice (lockout, registration or invitation for an address that
    has an account) is emailed at most once."""
    return done_unless_busy(security_notices.send(user_id, kind, request_id, params or {}))


@portal_task(tasks.SEND_REGISTRATION_LINK, retry_on=RETRYABLE, max_retries=6)
def send_registration_link(self, token: str) -> bool:
    """Idempotent: each registration's link is emailed at most once."""
    return done_unless_busy(registration.send_link(token))
