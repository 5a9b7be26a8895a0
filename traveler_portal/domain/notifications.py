"""Notifications: who hears about what, in the app and by email.

Every public case event notifies the traveler: a row in ``notifications`` (the in-app
list) and, unless the traveler opted out of that kind, an email sent by a Celery task
through the outbox (both written by the event's fan-out task: public_events). The unique
``(user, dedup_key)`` and the row lock in :func:`send_email` make sure an event is never
emailed twice, however often the task runs.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context, render_template
from flask_babel import format_date
from flask_babel import gettext as _

from .. import i18n, mail, tasks
from ..extensions import db
from ..models import Decision, Notification, Outcome, Petition, Status
from ..models.users import utcnow
from . import outbox, reference, uow, workflow

log = logging.getLogger(__name__)
SEND_TASK, QUEUE = tasks.SEND_EMAIL.name, tasks.SEND_EMAIL.queue

KINDS = {
    "status": "Status changes (received, in review, back in the queue)",
    "evidence_request": "Requests for evidence",
    "reminder": "Reminders before deadlines and travel",
    "decision": "Decisions (always sent)",
    "digest": "Employers' weekly digest (domain/digest.py)",
}
ALWAYS_SENT = {"decision", "agency"}  # "agency": staff alerts (deadline breaches)
KIND_BY_ACTION = {"approve": "decision", "deny": "decision", "confirm_denial": "decision",
                  "request_evidence": "evidence_request"}



def petition_url(petition: Petition) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/my/petitions/{petition.receipt_number}"


def _create(user, petition, dedup_key, kind, subject, body, event=None,
            fresh: bool = False) -> Notification | None:
    """Add one notification (and its email to the outbox) unless it already exists.
    ``fresh``: the key names an event this transaction has just written, so no
    notification can have it yet (the unique key still stands guard)."""
    if not fresh and db.session.scalar(sa.select(Notification.id).where(
            Notification.user_id == user.id, Notification.dedup_key == dedup_key)):
        return None
    wanted = kind in ALWAYS_SENT or kind not in (user.email_opt_out or [])
    note = Notification(user_id=user.id, petition_id=petition.id,
                        event_id=event.id if event else None, dedup_key=dedup_key, kind=kind,
                        subject=subject[:200], body=body, created_at=utcnow(),
                        email_state="pending" if wanted else "skipped")
    db.session.add(note)
    db.session.flush()
    _forget_unread()  # the header's count, if it was this person's, is one short now
    if wanted:
        outbox.enqueue(SEND_TASK, [note.id], QUEUE)
    return note


create = _create  # for the other notification modules (people_updates)


def notify_staff(user, petition: Petition, dedup_key: str, subject: str,
                 body: str) -> Notification | None:
    """An alert to agency staff (e.g. a missed deadline), listed and always emailed;
    once per ``dedup_key``."""
    return _create(user, petition, dedup_key, "agency", subject, body)


def on_public_event(petition: Petition, event, title) -> None:
    """Called by a public event's fan-out (public_events; arrivals in their own
    transaction). ``title`` is the transition's lazy title: the message is written in the traveler's
    language, not in the language of whoever caused the event."""
    db.session.flush()  # the event's id is the deduplication key
    kind = KIND_BY_ACTION.get(event.action, "status")
    decision = db.session.scalars(sa.select(Decision).where(Decision.petition_id == petition.id)
                                  .order_by(Decision.id.desc())).first() \
        if kind in ("decision", "evidence_request") else None
    reasons = reference.reason_map(decision.reason_codes) if decision else {}
    with i18n.writing_for(petition.traveler):  # reads the traveler's language once
        lang = i18n.current_language()
        title = str(title)
        body = render_template("emails/event.txt", petition=petition, event=event,
                               title=title, decision=decision, url=petition_url(petition),
                               Outcome=Outcome, reasons=reasons, lang=lang)
        subject = _("%(number)s: %(title)s", number=petition.receipt_number, title=title)
    _create(petition.traveler, petition, f"event:{event.id}", kind, subject, body, event,
            fresh=True)


@uow.atomic
def send_email(notification_id: int) -> bool:
    """Email one notification. Returns False when there is nothing (left) to send."""
    note = db.session.scalars(sa.select(Notification).where(Notification.id == notification_id)
                              .with_for_update()).first()
    if note is None or note.email_state != "pending":
        return False
    # Sent while the row is locked: a second run of this task waits here, then finds it sent.
    mail.deliver(mail.build(note.user.email, note.subject, note.body))
    note.email_state, note.email_sent_at = "sent", utcnow()
    note.email_attempts += 1
    return True


@uow.atomic
def record_attempt(notification_id: int, error: str) -> None:
    """A failed try that will be tried again: counted, its error kept."""
    db.session.execute(sa.update(Notification).where(
        Notification.id == notification_id, Notification.email_state == "pending")
        .values(email_error=error[:1000], email_attempts=Notification.email_attempts + 1))


@uow.atomic
def resend_failed() -> int:
    """Every email that failed for good is made pending and sent again (an operator's
    command once the mail server is back); returns how many."""
    ids = db.session.scalars(sa.select(Notification.id).where(
        Notification.email_state == "failed")).all()
    for notification_id in ids:
        db.session.execute(sa.update(Notification).where(Notification.id == notification_id)
                           .values(email_state="pending"))
        outbox.enqueue(SEND_TASK, [notification_id], QUEUE)
    return len(ids)


@uow.atomic
def record_failure(notification_id: int, error: str) -> None:
    """After the last retry: a state a person can see, instead of silence."""
    db.session.execute(sa.update(Notification).where(
        Notification.id == notification_id, Notification.email_state == "pending")
        .values(email_state="failed", email_error=error[:1000],
                email_attempts=Notification.email_attempts + 1))


@uow.atomic
def send_reminders() -> int:
    """Reminders before an evidence deadline and before travel with no decision yet;
    once per deadline (the date is part of the deduplication key)."""
    today = utcnow().date()
    config = current_app.config
    created = 0
    evidence_due = db.session.execute(
        sa.select(Petition, Decision).join(Decision, Decision.petition_id == Petition.id)
        .where(Petition.status == Status.EVIDENCE_REQUESTED,
               Decision.outcome == Outcome.EVIDENCE_REQUESTED,
               Decision.responded_at.is_(None),
               Decision.respond_by <= today + timedelta(days=config["REMINDER_EVIDENCE_DAYS"]),
               Decision.respond_by >= today)).all()
    for petition, ask in evidence_due:
        with i18n.writing_for(petition.traveler):
            body = render_template("emails/reminder_evidence.txt", petition=petition,
                                   ask=ask, url=petition_url(petition))
            subject = _("%(number)s: evidence due by %(date)s",
                        number=petition.receipt_number, date=format_date(ask.respond_by, "long"))
        created += bool(_create(
            petition.traveler, petition, f"reminder:evidence:{ask.id}:{ask.respond_by}",
            "reminder", subject, body))
    travelling = db.session.scalars(sa.select(Petition).where(
        Petition.status.in_(workflow.OPEN - {Status.DRAFT}),  # submitted, no decision yet
        Petition.travel_date <= today + timedelta(days=config["REMINDER_TRAVEL_DAYS"]),
        Petition.travel_date >= today)).all()
    for petition in travelling:
        with i18n.writing_for(petition.traveler):
            body = render_template("emails/reminder_travel.txt", petition=petition,
                                   url=petition_url(petition))
            subject = _("%(number)s: no decision yet, travel on %(date)s",
                        number=petition.receipt_number,
                        date=format_date(petition.travel_date, "long"))
        created += bool(_create(
            petition.traveler, petition, f"reminder:travel:{petition.id}:{petition.travel_date}",
            "reminder", subject, body))
    return created


UNREAD_KEY = "_unread_notifications"


def unread_count_of(user_id_column):
    """The count of a person's unread notifications, as a column of another query (the
    session's account load reads it with the account: ``remember_unread``)."""
    return (sa.select(sa.func.count()).select_from(Notification)
            .where(Notification.user_id == user_id_column, Notification.read_at.is_(None))
            .scalar_subquery())


def remember_unread(user_id: int, count: int) -> None:
    """The header's count, read with the account at the start of the request."""
    if has_app_context():
        setattr(g, UNREAD_KEY, (user_id, count))


def _forget_unread() -> None:
    if has_app_context():
        g.pop(UNREAD_KEY, None)


def unread_count(user) -> int:
    remembered = g.get(UNREAD_KEY) if has_app_context() else None
    if remembered is not None and remembered[0] == user.id:
        return remembered[1]
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def for_user(user, limit: int = 100) -> list[Notification]:
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id.desc()).limit(limit)).all()


@uow.atomic
def mark_all_read(user) -> None:
    db.session.execute(sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))
    _forget_unread()


@uow.atomic
def set_preferences(user, wanted_kinds: set[str]) -> None:
    user.email_opt_out = sorted(k for k in KINDS if k not in wanted_kinds and k not in ALWAYS_SENT)
