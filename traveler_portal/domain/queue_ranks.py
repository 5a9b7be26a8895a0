"""Places in their queues for a page of petitions at once (the API's list of 100).

A petition's place is how many queued petitions of its queue ``adjudication.CLAIM_ORDER``
puts before it, plus one. Counted from the head of the queue, that is a scan as long as
the queue (half a million waiting cases at a million petitions: seconds per page). So a
beat task (``recompute``, every minute) numbers each queue once into the small
``queue_checkpoints`` table: the first case of every (priority, due date) group, every
``EVERY``-th case, and an end marker. A page then counts each petition's place from the
nearest checkpoint before it in its own group, a range of the claim-order index
(ix_petitions_claim_order) of at most ``EVERY`` entries plus what arrived since (issue 16):

- a checkpoint C in the petition's group before it: place = C's place + the queued cases
  of the group from C up to the petition;
- none (the group is new since the last numbering, or the petition sorts before its
  first case): the first checkpoint G after the petition has every case of the earlier
  groups before it, so place = G's place + the cases of the group before the petition;
- no checkpoint at all for the queue (never numbered yet: a new queue, the tests), or
  only checkpoints older than ``TRUSTED_FOR`` (the beat stopped): counted from the head
  of the queue, as before: slow on a long queue, but never further off than a few minutes.

What the checkpoints' places do not see is what left the queue or arrived ahead of them
since the last numbering (at most a minute of claims and arrivals); the count inside the
group is live.
"""
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Petition, QueueCheckpoint, Status
from ..models.users import utcnow
from . import uow
from .adjudication import CLAIM_ORDER

EVERY = 100  # a checkpoint every EVERY cases: the longest count a place needs
END_PRIORITY = -(2 ** 31)  # the end marker's priority: after every case (priority DESC)
NO_DUE = date(9999, 12, 31)  # a checkpoint's due date when the case has none (sorts last)
TRUSTED_FOR = timedelta(minutes=5)  # checkpoints older than this are not used (beat stopped)


def _before(a, b):
    """``a`` (a petition or a checkpoint) comes before ``b`` in the claim order."""
    a_id, b_id = (x.petition_id if hasattr(x, "petition_id") else x.id for x in (a, b))
    a_due, b_due = (sa.func.coalesce(x.due_date, NO_DUE) for x in (a, b))  # no date: last
    return sa.or_(a.priority > b.priority, sa.and_(a.priority == b.priority, sa.or_(
        a_due < b_due, sa.and_(a_due == b_due, sa.tuple_(a.submitted_at, a_id)
                               < sa.tuple_(b.submitted_at, b_id)))))


def _in_group(q, p, after=None):
    """How many queued petitions of p's (queue, priority, due date) group come before p,
    from the key ``after`` (a (submitted_at, id) pair) on; one index range, whichever way
    p's due date is (an OR of the two would be read as a filter, not a range)."""
    def count(same_due):
        where = [q.queue_id == p.queue_id, q.status == Status.QUEUED,
                 q.priority == p.priority, same_due,
                 sa.tuple_(q.submitted_at, q.id) < sa.tuple_(p.submitted_at, p.id)]
        if after is not None:
            where.append(sa.tuple_(q.submitted_at, q.id) >= sa.tuple_(*after))
        return (sa.select(sa.func.count()).select_from(q).where(*where)
                .correlate(p).scalar_subquery())
    return sa.case((p.due_date.is_(None), count(q.due_date.is_(None))),
                   else_=count(q.due_date == p.due_date))


def _statement():
    """Built once, its ids bound per call (building the expression costs more than
    running it on a small queue)."""
    p, q, c = aliased(Petition), aliased(Petition), aliased(QueueCheckpoint)
    # C: the last checkpoint of p's group at or before p (ix_queue_checkpoints_key)
    fresh = c.computed_at >= sa.bindparam("fresh_since")
    last = (sa.select(c).where(
        fresh, c.queue_id == p.queue_id, c.priority == p.priority,
        c.due_date == sa.func.coalesce(p.due_date, NO_DUE),
        sa.tuple_(c.submitted_at, c.petition_id) <= sa.tuple_(p.submitted_at, p.id))
        .order_by(c.submitted_at.desc(), c.petition_id.desc()).limit(1).correlate(p))

    def of_last(column):
        return last.with_only_columns(column).scalar_subquery()
    from_last = of_last(c.place) + _in_group(q, p, (of_last(c.submitted_at),
                                                    of_last(c.petition_id)))
    # G: the first checkpoint after p
    following = (sa.select(c.place).where(fresh, c.queue_id == p.queue_id, _before(p, c))
                 .order_by(c.place).limit(1).correlate(p).scalar_subquery())
    from_following = following + _in_group(q, p)
    from_head = (sa.select(sa.func.count()).select_from(q)
                 .where(q.queue_id == p.queue_id, q.status == Status.QUEUED, _before(q, p))
                 .correlate(p).scalar_subquery()) + 1
    place = sa.func.coalesce(from_last, from_following, from_head)
    return sa.select(p.id, place).where(p.id.in_(sa.bindparam("ids", expanding=True)),
                                        p.status == Status.QUEUED)


_PLACES = _statement()


def places(ids: list[int]) -> dict[int, int]:
    """{petition id: place in its queue, 1 first} of the queued petitions among ``ids``."""
    if not ids:
        return {}
    return dict(db.session.execute(_PLACES, {"ids": ids,
                                             "fresh_since": utcnow() - TRUSTED_FOR}).all())


@uow.atomic
def recompute() -> int:
    """Number every queue's waiting cases again into ``queue_checkpoints``; returns how
    many checkpoints were written. One pass over each queue in claim order."""
    place = sa.func.row_number().over(partition_by=Petition.queue_id, order_by=CLAIM_ORDER)
    in_group = sa.func.row_number().over(
        partition_by=(Petition.queue_id, Petition.priority, Petition.due_date),
        order_by=(Petition.submitted_at, Petition.id))
    total = sa.func.count().over(partition_by=Petition.queue_id)
    ranked = (sa.select(Petition.queue_id, Petition.priority, Petition.due_date,
                        Petition.submitted_at, Petition.id, place.label("place"),
                        in_group.label("in_group"), total.label("total"))
              .where(Petition.status == Status.QUEUED).subquery())
    rows = db.session.execute(sa.select(ranked).where(sa.or_(
        ranked.c.in_group == 1, ranked.c.place % EVERY == 0, ranked.c.place == ranked.c.total
    ))).all()
    now = utcnow()
    checkpoints = [{"queue_id": r.queue_id, "place": r.place, "priority": r.priority,
                    "due_date": r.due_date or NO_DUE, "submitted_at": r.submitted_at,
                    "petition_id": r.id, "computed_at": now} for r in rows]
    checkpoints += [{"queue_id": r.queue_id, "place": r.total + 1, "priority": END_PRIORITY,
                     "due_date": NO_DUE, "submitted_at": None, "petition_id": 0,
                     "computed_at": now} for r in rows if r.place == r.total]
    db.session.execute(sa.delete(QueueCheckpoint))
    if checkpoints:
        db.session.execute(sa.insert(QueueCheckpoint), checkpoints)
    return len(checkpoints)
