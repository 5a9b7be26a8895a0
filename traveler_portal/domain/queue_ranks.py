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
- checkpoints older than ``TRUSTED_FOR`` (the beat stopped), or none (the queue was never
  numbered: a new queue, the tests): a place among the first ``HEAD_CAP`` is counted live
  from the head (an index range that stops at ``HEAD_CAP`` entries); past it, the old
  checkpoints are counted from as above, the place shown no nearer than ``HEAD_CAP`` + 1.
  Such a place misses what moved ahead since the numbering (claims, arrivals), but the
  work stays bounded however old the checkpoints are (a count from the head of a long
  queue took 50-60 s for a page of 50 queued cases at a million petitions; now ~10 ms). Only a queue
  never numbered is still counted from its head past ``HEAD_CAP`` (it was empty at the
  last numbering, so it is only long if the beat stopped long ago).

What the checkpoints' places do not see is what left the queue or arrived ahead of them
since the last numbering (at most a minute of claims and arrivals); the count inside the
group is live.
"""
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import db
from ..models import Petition, QueueCheckpoint, Status
from ..models.users import utcnow
from . import uow
from .adjudication import CLAIM_ORDER, claim_order

EVERY = 100  # a checkpoint every EVERY cases: the longest count a place needs
END_PRIORITY = -(2 ** 31)  # the end marker's priority: after every case (priority DESC)
NO_DUE = date(9999, 12, 31)  # a checkpoint's due date when the case has none (sorts last)
TRUSTED_FOR = timedelta(minutes=5)  # older checkpoints: the beat stopped (see above)
HEAD_CAP = 200  # with old checkpoints, places up to this one are counted live


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


class _Greatest(FunctionElement):
    """GREATEST(a, b): SQLite spells it MAX(a, b)."""
    inherit_cache = True
    type = sa.Integer()


@compiles(_Greatest)
def _greatest_default(element, compiler, **kw):
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(_Greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


def _ahead_from_head(q, p, limit=None):
    """How many queued petitions of p's queue come before p, counted from the head in
    claim order (ix_petitions_claim_order); with ``limit``, at most that many (an index
    range that stops there, however long the queue)."""
    ahead = (sa.select(q.id).where(q.queue_id == p.queue_id, q.status == Status.QUEUED,
                                   _before(q, p)).correlate(p))
    if limit is None:
        return sa.select(sa.func.count()).select_from(ahead.subquery()).scalar_subquery()
    first = ahead.order_by(*claim_order(q)).limit(limit).subquery()
    return sa.select(sa.func.count()).select_from(first).scalar_subquery()


def _statement():
    """Built once, its ids bound per call (building the expression costs more than
    running it on a small queue)."""
    p, q, c = aliased(Petition), aliased(Petition), aliased(QueueCheckpoint)
    # C: the last checkpoint of p's group at or before p (ix_queue_checkpoints_key)
    last = (sa.select(c).where(
        c.queue_id == p.queue_id, c.priority == p.priority,
        c.due_date == sa.func.coalesce(p.due_date, NO_DUE),
        sa.tuple_(c.submitted_at, c.petition_id) <= sa.tuple_(p.submitted_at, p.id))
        .order_by(c.submitted_at.desc(), c.petition_id.desc()).limit(1).correlate(p))

    def of_last(column):
        return last.with_only_columns(column).scalar_subquery()
    from_last = of_last(c.place) + _in_group(q, p, (of_last(c.submitted_at),
                                                    of_last(c.petition_id)))
    # G: the first checkpoint after p
    following = (sa.select(c.place).where(c.queue_id == p.queue_id, _before(p, c))
                 .order_by(c.place).limit(1).correlate(p).scalar_subquery())
    numbered = sa.func.coalesce(from_last, following + _in_group(q, p))
    # When the queue was last numbered: one stamp for all its checkpoints (written
    # together); NULL when it never was.
    stamp = (sa.select(c.computed_at).where(c.queue_id == p.queue_id).order_by(c.place)
             .limit(1).correlate(p).scalar_subquery())
    cap = sa.bindparam("cap")
    near = _ahead_from_head(aliased(Petition), p, limit=cap)
    beyond = sa.case((stamp.is_not(None), _Greatest(numbered, cap + 1)),  # numbered, long ago
                     else_=_ahead_from_head(aliased(Petition), p) + 1)  # never numbered
    place = sa.case(
        (stamp >= sa.bindparam("fresh_since"), numbered),  # the usual case
        # Not numbered lately: live near the head (NULLIF: each count evaluated once).
        else_=sa.func.coalesce(sa.func.nullif(near, cap) + 1, beyond))
    return sa.select(p.id, place).where(p.id.in_(sa.bindparam("ids", expanding=True)),
                                        p.status == Status.QUEUED)


_PLACES = _statement()


def places(ids: list[int]) -> dict[int, int]:
    """{petition id: place in its queue, 1 first} of the queued petitions among ``ids``."""
    if not ids:
        return {}
    return dict(db.session.execute(_PLACES, {"ids": ids, "cap": HEAD_CAP,
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
