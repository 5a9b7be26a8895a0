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


def _fresh(petitions):
    db.session.expire_all()
    return [db.session.get(Petition, p.id) for p in petitions]


def _set(petition, **values):
    db.session.execute(sa.update(Petition).where(Petition.id == petition.id).values(**values))
    db.session.commit()


def test_places_counted_from_the_numbered_checkpoints_equal_each_count(make, monkeypatch):
    """Once the beat task has numbered the queues (a checkpoint every 2 cases here, and the
    first of each priority and due date), a page's places are counted from the nearest
    checkpoint and are still each petition's own count."""
    monkeypatch.setattr(queue_ranks, "EVERY", 2)
    traveler = make.user("traveler")
    blaine = [queued(traveler, days_ahead=days) for days in (90, 5, 40, 40, 60, 12, 40, 40)]
    derby = [queued(traveler, port="DERBY-LINE", days_ahead=days) for days in (30, 8)]
    due = blaine[2].due_date
    for p in blaine[2:8]:  # one group of six (same priority and due date)
        _set(p, due_date=due)
    _set(blaine[4], due_date=None)  # a group without a due date, sorted last
    _set(blaine[1], priority=blaine[1].priority + 1)  # a group of its own, first
    assert queue_ranks.recompute() > 0
    db.session.commit()
    petitions = _fresh(blaine + derby)
    page = status.queue_positions(petitions)
    assert page == {p.id: status.queue_position(p) for p in petitions}
    assert sorted(page[p.id] for p in petitions[:8]) == list(range(1, 9))
    assert sorted(page[p.id] for p in petitions[8:]) == [1, 2]


def test_cases_queued_after_the_numbering_get_their_place(make):
    """A case that arrives after the last numbering, in a group the numbering never saw
    (a new due date) or before the first numbered case of its group, gets its own count;
    the cases it went ahead of keep their numbered place until the next numbering."""
    traveler = make.user("traveler")
    early = [queued(traveler, days_ahead=days) for days in (40, 20, 60)]
    day = early[0].due_date
    for n, p in enumerate(early):  # one priority, three due dates, in that order
        _set(p, priority=0, due_date=day + timedelta(days=n))
    queue_ranks.recompute()
    db.session.commit()

    last = queued(traveler, days_ahead=15)
    _set(last, priority=0, due_date=day + timedelta(days=400))  # after every group
    petitions = _fresh(early + [last])
    assert status.queue_positions(petitions) == {
        p.id: status.queue_position(p) for p in petitions}
    assert status.queue_positions(petitions)[last.id] == 4

    ahead = queued(traveler, days_ahead=25)
    _set(ahead, priority=0, due_date=early[1].due_date,
         submitted_at=early[1].submitted_at - timedelta(hours=1))  # before early[1]
    petitions = _fresh(early + [last, ahead])
    page = status.queue_positions(petitions)
    assert page[ahead.id] == status.queue_position(petitions[-1]) == 2
    assert page[early[2].id] == 3  # as numbered; counted alone it is now 4
    queue_ranks.recompute()  # the next numbering (beat, every minute)
    db.session.commit()
    petitions = _fresh(early + [last, ahead])
    page = status.queue_positions(petitions)
    assert page == {p.id: status.queue_position(p) for p in petitions}
    assert sorted(page.values()) == [1, 2, 3, 4, 5]


def test_checkpoints_the_beat_stopped_renewing_are_not_used(make):
    """Numbered more than TRUSTED_FOR ago (the beat stopped), the checkpoints would miss
    every claim since: places are counted from the head of the queue again."""
    from traveler_portal.models import QueueCheckpoint, Status
    from traveler_portal.models.users import utcnow
    traveler = make.user("traveler")
    cases = [queued(traveler, days_ahead=days) for days in (40, 20, 60)]
    queue_ranks.recompute()
    db.session.commit()
    first = min(_fresh(cases), key=status.queue_position)
    _set(first, status=Status.WITHDRAWN)  # left the queue after the numbering
    rest = [p for p in _fresh(cases) if p.id != first.id]
    assert sorted(status.queue_positions(rest).values()) == [2, 3]  # numbered a moment ago
    db.session.execute(sa.update(QueueCheckpoint).values(
        computed_at=utcnow() - queue_ranks.TRUSTED_FOR - timedelta(seconds=1)))
    db.session.commit()
    assert sorted(status.queue_positions(_fresh(rest)).values()) == [1, 2]  # counted live


def _age_checkpoints(by):
    from traveler_portal.models import QueueCheckpoint
    from traveler_portal.models.users import utcnow
    db.session.execute(sa.update(QueueCheckpoint).values(computed_at=utcnow() - by))
    db.session.commit()


def test_old_checkpoints_count_live_only_near_the_head(make, monkeypatch):
    """The beat stopped: past HEAD_CAP cases from the head a place is read from the old
    checkpoints (off by what moved since the numbering, but never a count from the head of
    a long queue: 50-60 s a page at a million petitions); the first HEAD_CAP places are
    still counted live, as a traveler near the front would notice."""
    from traveler_portal.models import Status
    monkeypatch.setattr(queue_ranks, "HEAD_CAP", 3)
    monkeypatch.setattr(queue_ranks, "EVERY", 2)
    traveler = make.user("traveler")
    cases = [queued(traveler, days_ahead=days) for days in (40, 20, 60, 30, 50, 70)]
    queue_ranks.recompute()
    db.session.commit()
    in_order = sorted(_fresh(cases), key=status.queue_position)
    _set(in_order[0], status=Status.WITHDRAWN)  # the head left after the numbering
    _age_checkpoints(queue_ranks.TRUSTED_FOR + timedelta(hours=3))

    rest = _fresh(in_order[1:])
    page = status.queue_positions(rest)
    assert [page[p.id] for p in rest[:3]] == [1, 2, 3]  # within HEAD_CAP: live
    assert [page[p.id] for p in rest[3:]] == [5, 6]  # past it: as numbered (live: 4, 5)
    assert [status.queue_position(p) for p in rest[3:]] == [4, 5]  # its own page: live


def test_old_checkpoints_never_put_a_case_within_the_live_counted_head(make, monkeypatch):
    """A case past HEAD_CAP that the old numbering put further forward (it arrived ahead
    of numbered cases since) is shown just after the live-counted head, not among it."""
    monkeypatch.setattr(queue_ranks, "HEAD_CAP", 2)
    traveler = make.user("traveler")
    cases = [queued(traveler, days_ahead=days) for days in (40, 20, 60)]
    queue_ranks.recompute()
    db.session.commit()
    first = min(_fresh(cases), key=status.queue_position)
    late = [queued(traveler, days_ahead=days) for days in (10, 11)]
    for p in late:  # arrive ahead of every numbered case
        _set(p, priority=first.priority + 1)
    _age_checkpoints(queue_ranks.TRUSTED_FOR + timedelta(minutes=1))
    page = status.queue_positions(_fresh(cases + late))
    assert sorted(page[p.id] for p in late) == [1, 2]  # live
    assert [page[p.id] for p in cases] == [3, 3, 3]  # numbered 1-3, past HEAD_CAP: ≥ 3
