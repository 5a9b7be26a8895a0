"""Emails to employer admins about their people's petitions, by each admin's choice
(``User.people_emails``): "off" (the default), "immediate" — one email per public status
change, a notification row whose email goes through the outbox like the traveler's — or
"daily": one summary of the previous day's changes (UTC), sent by a beat task once per
admin and day (a Redis key set before sending, as for the weekly digest).
"""
from datetime import UTC, date, datetime, time, timedelta

import redis
import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _

from .. import locks, mail
from ..extensions import db
from ..models import Event, Petition, Role, User
from . import notifications, organizations, uow

CHOICES = ("off", "immediate", "daily")
KIND = "people_status"  # the notification kind of an immediate email
KEY_TTL = 3 * 24 * 3600


@uow.atomic
def set_choice(actor: User, choice: str) -> None:
    """An owner or admin chooses their own emails about the organization's people."""
    organizations.require_org_admin(actor)
    if choice not in CHOICES:
        choice = "off"
    actor.people_emails = choice


def _admins(organization_id: str, choice: str) -> list[User]:
    return db.session.scalars(sa.select(User).where(
        User.organization_id == organization_id, User.role == Role.EMPLOYER,
        User.org_role.in_(("owner", "admin")), User.is_active_account.is_(True),
        User.people_emails == choice).order_by(User.id)).all()


def employer_url(petition: Petition) -> str:
    return (f"{current_app.config['PUBLIC_URL'].rstrip('/')}/employer/petitions/"
            f"{petition.receipt_number}")


def on_public_event(petition: Petition, event: Event, title: str) -> None:
    """Called with the traveler's notification, in the same transaction (the event's
    fan-out: public_events)."""
    if not petition.organization_id:
        return
    for admin in _admins(petition.organization_id, "immediate"):
        subject = _("%(number)s (%(name)s): %(title)s", number=petition.receipt_number,
                    name=petition.traveler.name, title=title)
        body = render_template("emails/people_event.txt", petition=petition, event=event,
                               title=title, url=employer_url(petition), admin=admin)
        notifications.create(admin, petition, f"people:{event.id}", KIND, subject, body,
                             event, fresh=True)  # the event was just written


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def daily_messages(today: date) -> list[tuple[str, object]]:
    """(deduplication key, message) for each "daily" admin with changes yesterday."""
    from . import workflow  # noqa: PLC0415 - workflow imports this module (a cycle)
    day = today - timedelta(days=1)
    start, end = _day_bounds(day)
    out = []
    admins = db.session.scalars(sa.select(User).where(
        User.role == Role.EMPLOYER, User.org_role.in_(("owner", "admin")),
        User.is_active_account.is_(True), User.people_emails == "daily",
        User.organization_id.is_not(None)).order_by(User.id)).all()
    for admin in admins:
        rows = db.session.execute(
            sa.select(Event, Petition).join(Petition, Petition.id == Event.petition_id)
            .where(Petition.organization_id == admin.organization_id,
                   Event.public.is_(True), Event.at >= start, Event.at < end)
            .order_by(Event.at, Event.id)).all()
        if not rows:
            continue
        changes = [(petition, event, str(workflow.event_title(event)))
                   for event, petition in rows]
        subject = _("Your people's petitions: %(n)s changes on %(date)s", n=len(changes),
                    date=day.isoformat())
        body = render_template("emails/people_daily.txt", changes=changes, day=day,
                               url=f"{current_app.config['PUBLIC_URL'].rstrip('/')}/employer/",
                               employer_url=employer_url)
        out.append((f"portal:people-daily:{admin.id}:{day.isoformat()}",
                    mail.build(admin.email, subject, body)))
    return out


def send_daily(today: date) -> int:
    """Yesterday's summary to every "daily" admin; a rerun the same day sends nothing new."""
    messages = daily_messages(today)
    uow.rollback()  # end the read transaction before the network
    client = redis.Redis.from_url(locks.redis_url(), socket_timeout=5, socket_connect_timeout=5)
    return sum(1 for key, message in messages
               if mail.deliver_once(message, key, KEY_TTL, client))
