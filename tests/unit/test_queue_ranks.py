"""A page of petitions gets its places in the queue in one pass per queue
(``queue_ranks``); each place equals the one counted for that petition alone."""
from datetime import timedelta

import sqlalchemy as sa

from tests.unit.test_status import queued
from traveler_portal.domain import queue_ranks, status
from traveler_portal.extensions import db
from traveler_portal.models import Petition


def test_a_pages_places_equal_each_petitions_own_count(make):
    traveler = make.user("traveler")
    blaine = [queued(traveler, days_ahead=days) for days in (90, 5, 40, 40, 60, 12)]
    derby = [queued(traveler, port="DERBY-LINE", days_ahead=days) for days in (30, 8)]
    # no due date sorts last; equal priorities and due dates go by submission, then id
    db.session.execute(sa.update(Petition).where(Petition.id == blaine[4].id)
                       .values(due_date=None))
    db.session.execute(sa.update(Petition).where(Petition.id.in_([blaine[2].id, blaine[3].id]))
                       .values(submitted_at=blaine[2].submitted_at - timedelta(hours=1)))
    db.session.commit()
    db.session.expire_all()
    petitions = [db.session.get(Petition, p.id) for p in blaine + derby]
    page = status.queue_positions(petitions)  # a page: one pass per queue
    assert page == {p.id: status.queue_position(p) for p in petitions}  # one count each
    assert sorted(page[p.id] for p in petitions[:6]) == [1, 2, 3, 4, 5, 6]
    assert sorted(page[p.id] for p in petitions[6:]) == [1, 2]
    assert queue_ranks.places([]) == {}
