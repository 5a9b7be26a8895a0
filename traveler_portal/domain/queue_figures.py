"""The officer's overview of a country's queues (depth, oldest waiting case, deadline
breaches, cases on hold), counted by a beat task (``recompute``, every minute) into the
small ``queue_figures`` table, so that a view reads one row per queue instead of counting
every waiting case (~450 ms at a million petitions, half of them waiting: issue 16).

A figure is as fresh as the last run (at most a minute). A queue the task has not counted
yet, or counted on an earlier day (breaches depend on the day), is counted live in the
same statement, which is cheap while the queue is new (and is what the tests see).
"""
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import AdjudicationQueue, Petition, QueueFigures, Status
from ..models.users import utcnow
from . import uow, workflow

OPEN = workflow.CLOCK_RUNS  # a breach counts while the agency holds the case
# every count reads an open status: the partial index ix_petitions_agency_open holds those
# rows only, however many decided cases the queue has behind it
COUNTED = (Status.QUEUED, Status.IN_REVIEW, Status.ON_HOLD)


def _live(today):
    """The four figures of one queue (or of every queue, grouped), counted now."""
    is_queued = Petition.status == Status.QUEUED
    return (sa.func.count().filter(is_queued),
            sa.func.min(Petition.submitted_at).filter(is_queued),
            sa.func.count().filter(Petition.status.in_(OPEN), Petition.due_date < today),
            sa.func.count().filter(Petition.status == Status.ON_HOLD))


def _statement():
    """Built once, its queues and day bound per call."""
    today = sa.bindparam("today", type_=sa.Date)
    q = AdjudicationQueue.__table__
    figures = QueueFigures.__table__

    def live(n):
        return (sa.select(_live(today)[n]).select_from(Petition)
                .where(Petition.queue_id == q.c.id, Petition.status.in_(COUNTED))
                .correlate(q).scalar_subquery())
    counted = figures.c.queue_id.is_not(None)
    return (sa.select(q.c.id, sa.func.coalesce(figures.c.waiting, live(0)),
                      sa.case((counted, figures.c.oldest_submitted_at), else_=live(1)),
                      sa.func.coalesce(figures.c.breaches, live(2)),
                      sa.func.coalesce(figures.c.on_hold, live(3)))
            .select_from(q.outerjoin(figures, sa.and_(figures.c.queue_id == q.c.id,
                                                      figures.c.on_day == today)))
            .where(q.c.id.in_(sa.bindparam("ids", expanding=True))))


_FIGURES = _statement()


def for_queues(queue_ids: list[int], today: date) -> dict[int, tuple]:
    """{queue id: (waiting, oldest submission of those, breaches, on hold)}: one
    statement, the beat task's counts where it has counted today, else live ones."""
    if not queue_ids:
        return {}
    return {row[0]: tuple(row[1:]) for row in db.session.execute(
        _FIGURES, {"ids": queue_ids, "today": today})}


@uow.atomic
def recompute(today: date | None = None) -> int:
    """Replace every queue's figures with today's; returns how many rows (every queue,
    empty ones with zeros)."""
    now = utcnow()
    today = today or now.date()
    counts = {row[0]: row[1:] for row in db.session.execute(
        sa.select(Petition.queue_id, *_live(today))
        .where(Petition.queue_id.is_not(None), Petition.status.in_(COUNTED))
        .group_by(Petition.queue_id))}
    queue_ids = db.session.scalars(sa.select(AdjudicationQueue.id)).all()
    db.session.execute(sa.delete(QueueFigures))
    rows = [dict(zip(("waiting", "oldest_submitted_at", "breaches", "on_hold"),
                     counts.get(qid, (0, None, 0, 0)), strict=True),
                 queue_id=qid, on_day=today, computed_at=now) for qid in queue_ids]
    if rows:
        db.session.execute(sa.insert(QueueFigures), rows)
    return len(rows)
