"""Organization tasks: invitation emails."""
from celery import shared_task

from traveler_portal.domain import invitations
from workers.emailing import send_with_retries


@shared_task(bind=True, name="organizations.send_invitation", queue="notifications",
             max_retries=8, acks_late=True)
def send_invitation(self, invitation_id: int) -> bool:
    """Idempotent: an invitation is emailed at most once (and never once it is used,
    revoked or expired). A failing mail server is tried again with backoff (5 s .. 5 min,
    about 15 minutes in all)."""
    return send_with_retries(self, invitations.send_invitation, invitation_id)
