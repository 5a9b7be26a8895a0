"""Every Celery task the product publishes or schedules, named once: the outbox and the
beat schedule (``traveler_portal``) and the task definitions (``workers``) read the same
entries, and tests/unit/test_tasks_registered.py checks each is registered in ``workers``
on its queue. The web side sends tasks by these names and never imports ``workers``."""
from dataclasses import dataclass


@dataclass(frozen=True)
class TaskName:
    name: str
    queue: str  # routing goes to "routing.<country>" (celery_app.ROUTING_QUEUES)


# Published through the outbox, one per side effect.
ROUTE = TaskName("petitions.route", "routing")
SEND_EMAIL = TaskName("notifications.send_email", "notifications")
# A public case event's notification, people updates and webhooks (domain/public_events).
FAN_OUT_EVENT = TaskName("events.fan_out", "notifications")
SEND_INVITATION = TaskName("organizations.send_invitation", "notifications")
SEND_PASSWORD_RESET = TaskName("accounts.send_password_reset", "notifications")
SEND_SECURITY_NOTICE = TaskName("accounts.send_security_notice", "notifications")
SEND_REGISTRATION_LINK = TaskName("accounts.send_registration_link", "notifications")
DELIVER_WEBHOOK = TaskName("webhooks.deliver", "webhooks")
IMPORT_EMPLOYEES = TaskName("employers.import_employees", "imports")

# Run by beat (celery_app's schedule), one run at a time (locks.run_exclusively).
OUTBOX_SWEEP = TaskName("outbox.sweep", "periodic")
REDRIVE_STUCK = TaskName("petitions.redrive_stuck", "periodic")
EVIDENCE_DEADLINES = TaskName("petitions.evidence_deadlines", "periodic")
PURGE_DRAFTS = TaskName("petitions.purge_abandoned_drafts", "periodic")
REMINDERS = TaskName("notifications.reminders", "periodic")
ESCALATE_BREACHES = TaskName("casework.escalate_breaches", "periodic")
RESUME_HOLDS = TaskName("casework.resume_holds", "periodic")
EXPIRE_APPROVALS = TaskName("casework.expire_approvals", "periodic")
WEEKLY_DIGEST = TaskName("employers.weekly_digest", "periodic")
DAILY_PEOPLE_UPDATES = TaskName("employers.daily_people_updates", "periodic")
PROCESSING_TIMES = TaskName("publishing.processing_times", "periodic")
ORGANIZATION_FIGURES = TaskName("publishing.organization_figures", "periodic")
QUEUE_CHECKPOINTS = TaskName("publishing.queue_checkpoints", "periodic")

ALL = tuple(v for v in list(globals().values()) if isinstance(v, TaskName))
