"""Organization tasks: invitation emails."""
from traveler_portal import tasks
from traveler_portal.domain import invitations
from workers.base import portal_task
from workers.emailing import RETRYABLE, done_unless_busy


@portal_task(tasks.SEND_INVITATION, retry_on=RETRYABLE, max_retries=8)
def send_invitation(self, invitation_id: int) -> bool:
    """Idempotent: an invitation is emailed at most once (and never once it is used,
    revoked or expired). A failing mail server is tried again with backoff (5 s .. 5 min,
    about 15 minutes in all)."""
    return done_unless_busy(invitations.send_invitation(invitation_id))
