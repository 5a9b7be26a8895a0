"""Scheduled work (Celery beat, ``workers/schedules.py``): deadline breaches escalated,
holds that reach their date put back in the queue, approvals past their validity expired.

Each function takes ``today`` (tests freeze it) and is safe to run again or twice at once:
it lists candidates, then for each one takes the row lock (PostgreSQL ``FOR UPDATE``,
waiting for a concurrent run rather than skipping its rows, which would leave them for a
whole interval; SQLite serializes writers with ``BEGIN IMMEDIATE``) and re-checks before
changing anything. The tasks also hold a Redis lock per task name
(``traveler_portal/locks.py``): a second beat's run leaves at once.
"""
import logging
from datetime import date

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _

from .. import i18n
from ..extensions import db
from ..models import AuditEntry, Decision, Outcome, Petition, Role, Status, User
from ..models.users import utcnow
from . import audit, notifications, routing, uow, workflow

log = logging.getLogger(__name__)
# A breached case jumps ahead of every case still within its target (travel-date
# priorities run 0..100).
BREACH_PRIORITY_BOOST = routing.PRIORITY_HORIZON_DAYS
BREACH_ACTION = "case.deadline_breach"
OPEN = workflow.CLOCK_RUNS


def _lock(petition_id: int, *conditions) -> Petition | None:
    return db.session.scalars(
        sa.select(Petition).where(Petition.id == petition_id, *conditions)
        .with_for_update(of=Petition)).first()


def _ids(query) -> list[int]:
    ids = db.session.scalars(query.order_by(Petition.id).limit(1000)).all()
    uow.rollback()  # end the read before locking rows one by one
    return ids


def _escalated(petition: Petition) -> bool:
    """A breach is escalated once: the audit entry for (petition, due date) marks it."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.petition_id == petition.id, AuditEntry.action == BREACH_ACTION,
        AuditEntry.object_id == petition.due_date.isoformat())) > 0


def supervisors_of(country) -> list[User]:
    return db.session.scalars(sa.select(User).where(
        User.role == Role.SUPERVISOR, User.country == country,
        User.is_active_account.is_(True)).order_by(User.id)).all()


def escalate_breaches(today: date | None = None) -> int:
    """Cases held by the agency past their due date: priority raised and the country's
    supervisors emailed, once per breach (a new due date can breach again)."""
    today = today or utcnow().date()
    late = (Petition.status.in_(OPEN), Petition.due_date < today)
    escalated = 0
    for petition_id in _ids(sa.select(Petition.id).where(*late)):
        petition = _lock(petition_id, *late)
        if petition is None or _escalated(petition):
            uow.rollback()
            continue
        petition.priority += BREACH_PRIORITY_BOOST
        audit.record(None, BREACH_ACTION, "deadline", petition.due_date.isoformat(), petition,
                     queue=petition.queue.code if petition.queue else None,
                     priority=petition.priority, receipt_number=petition.receipt_number)
        url = (f"{current_app.config['PUBLIC_URL'].rstrip('/')}/officer/cases/"
               f"{petition.receipt_number}")
        for supervisor in supervisors_of(petition.destination_country):
            with i18n.writing_for(supervisor):  # each supervisor in their own language
                body = render_template("emails/deadline_breach.txt", petition=petition,
                                       supervisor=supervisor, url=url, today=today)
                subject = _("%(number)s: past its due date (%(date)s)",
                            number=petition.receipt_number, date=i18n.day(petition.due_date))
            notifications.notify_staff(
                supervisor, petition,
                f"breach:{petition.id}:{petition.due_date.isoformat()}", subject, body)
        uow.commit()
        escalated += 1
        log.info("deadline breach escalated petition=%s", petition_id)
    return escalated


def resume_holds(today: date | None = None) -> int:
    """Holds whose date has come: back to the queue, due again after the queue's target."""
    today = today or utcnow().date()
    due = (Petition.status == Status.ON_HOLD, Petition.hold_until <= today)
    resumed = 0
    for petition_id in _ids(sa.select(Petition.id).where(*due)):
        petition = _lock(petition_id, *due)
        if petition is None:
            uow.rollback()
            continue
        workflow.apply(petition, "resume", message=petition.hold_reason)
        petition.assigned_officer_id, petition.claimed_at = None, None
        petition.hold_until = None
        if petition.queue is not None:
            petition.due_date = routing.add_business_days(today,
                                                          petition.queue.sla_business_days)
        uow.commit()
        resumed += 1
    return resumed


def expire_approvals(today: date | None = None) -> int:
    """Approvals whose validity ended before ``today``: status ``expired`` (public)."""
    today = today or utcnow().date()
    latest = (sa.select(sa.func.max(Decision.id))
              .where(Decision.petition_id == Petition.id, Decision.outcome == Outcome.APPROVED)
              .correlate(Petition).scalar_subquery())
    expired = 0
    for petition_id in _ids(sa.select(Petition.id).join(Decision, Decision.id == latest)
                            .where(Petition.status == Status.APPROVED,
                                   Decision.valid_until < today)):
        petition = _lock(petition_id, Petition.status == Status.APPROVED)
        final = petition.final_decision if petition else None
        if final is None or final.valid_until is None or final.valid_until >= today:
            uow.rollback()
            continue
        workflow.apply(petition, "expire")
        uow.commit()
        expired += 1
    return expired
