"""An answered request for evidence goes back to the officer who asked.

The traveler's answer puts the case back in its queue (``workflow`` "evidence_received",
as before) but kept for the asking officer: it is in their "My cases" marked "evidence
received", and other officers' "Claim next" passes over it until ``reserved_until``
(EVIDENCE_RETURN_HOURS after the answer); from then on anyone of the queue may claim it,
so an absent officer never strands a case. A claim, by anyone, ends the reservation.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..models import Decision, Petition, Status, User
from .errors import Conflict


def keep_for_asker(petition: Petition, ask: Decision | None, now: datetime) -> None:
    """Called as the answer is recorded: keep the case for the officer who asked, if that
    officer may still work it (active, agency, same country)."""
    officer = db.session.get(User, ask.officer_id) if ask and ask.officer_id else None
    if officer is None or not officer.is_agency or not officer.is_active \
            or officer.country != petition.destination_country:
        release(petition)
        return
    hours = current_app.config.get("EVIDENCE_RETURN_HOURS", 48)
    petition.reserved_officer_id = officer.id
    petition.reserved_until = now + timedelta(hours=hours)


def release(petition: Petition) -> None:
    """The case is claimed (or nobody keeps it): no reservation any more."""
    petition.reserved_officer_id = None
    petition.reserved_until = None


def claimable_by(officer_id, now):
    """SQL filter: the queued cases the officer ``officer_id`` may claim at ``now`` (not
    kept for somebody else). Plain values, or bind parameters (claim-next's statement is
    built once)."""
    return sa.or_(Petition.reserved_officer_id.is_(None),
                  Petition.reserved_officer_id == officer_id,
                  Petition.reserved_until <= now)


def check_claim(user: User, petition: Petition, now: datetime | None = None) -> None:
    """Refuse a picked claim of a case still kept for another officer."""
    if petition.reserved_officer_id and petition.reserved_officer_id != user.id \
            and not petition.reservation_over(now):
        raise Conflict(_("%(number)s is kept for %(name)s, who asked for the evidence, "
                         "until %(time)s UTC.", number=petition.receipt_number,
                         name=petition.reserved_officer.name,
                         time=petition.reserved_until.strftime("%Y-%m-%d %H:%M")))


def returned_to(user: User) -> list[Petition]:
    """Answered cases waiting in a queue for ``user``, the officer who asked (oldest answer
    first). Still listed after the reservation ends, until somebody claims them."""
    return db.session.scalars(
        sa.select(Petition).where(Petition.reserved_officer_id == user.id,
                                  Petition.status == Status.QUEUED)
        .options(sa.orm.selectinload(Petition.category), sa.orm.selectinload(Petition.queue),
                 sa.orm.selectinload(Petition.traveler))
        .order_by(Petition.reserved_until, Petition.id)).all()
