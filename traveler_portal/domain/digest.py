"""The weekly email digest of the dashboard's panels, to each employer user of each
organization.

Opt-out at two levels: the organization (``Organization.digest_enabled``, switched on the
dashboard by an owner or admin) and each person (``"digest"`` in ``User.email_opt_out``,
switched in their email settings). An organization with nothing in its panels gets no
email. Once per organization per ISO week: a Redis key per (organization, week, person)
is set before sending and cleared if sending fails, so a second run of the same week (or
two runs at once) sends nothing new while a failed message is tried again next run.
"""
from datetime import date

import redis
import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _

from .. import i18n, locks, mail
from ..extensions import db
from ..models import Organization, Role, User
from . import employer_dashboard, organizations, uow

OPT_OUT_KIND = "digest"
KEY_TTL = 8 * 24 * 3600


def week_of(today: date) -> str:
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def dedupe_key(org_id: str, week: str, user_id: int) -> str:
    return f"portal:employer-digest:{org_id}:{week}:{user_id}"


@uow.atomic
def set_enabled(actor: User, enabled: bool) -> Organization:
    organizations.require_org_admin(actor)
    org = db.session.get(Organization, actor.organization_id)
    org.digest_enabled = bool(enabled)
    return org


def recipients(org: Organization) -> list[User]:
    people = db.session.scalars(sa.select(User).where(
        User.organization_id == org.id, User.role == Role.EMPLOYER,
        User.is_active_account.is_(True)).order_by(User.id)).all()
    return [u for u in people if OPT_OUT_KIND not in (u.email_opt_out or [])]


def _messages(org: Organization, today: date) -> list[tuple[int, object]]:
    """(user id, message) for each recipient; none when the panels are empty."""
    people = recipients(org)
    if not people:
        return []
    panels = employer_dashboard.panels(people[0], today)
    if panels.empty:
        return []
    url = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/employer/"
    messages = []
    for person in people:
        with i18n.writing_for(person):  # each person reads it in their own language
            subject = _("%(org)s: your weekly travel digest (%(week)s)", org=org.name,
                        week=week_of(today))
            body = render_template("emails/employer_digest.txt", org=org, panels=panels,
                                   today=today, url=url)
        messages.append((person.id, mail.build(person.email, subject, body)))
    return messages


def send_weekly(today: date) -> int:
    """Send this ISO week's digest to every opted-in person of every opted-in
    organization; returns how many emails went out in this run."""
    week = week_of(today)
    org_ids = db.session.scalars(sa.select(Organization.id).where(
        Organization.digest_enabled.is_(True)).order_by(Organization.id)).all()
    client = redis.Redis.from_url(locks.redis_url(), socket_timeout=5, socket_connect_timeout=5)
    sent = 0
    for org_id in org_ids:
        messages = _messages(db.session.get(Organization, org_id), today)
        uow.rollback()  # end the read transaction before the network
        for user_id, message in messages:
            key = dedupe_key(org_id, week, user_id)
            if mail.deliver_once(message, key, KEY_TTL, client) is True:
                sent += 1
    return sent
