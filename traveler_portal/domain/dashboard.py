"""A supervisor's numbers for one country: queues, deadlines, decisions, workload.

Counted in SQL where it is a plain aggregate; per-day series are bucketed in Python so
SQLite and PostgreSQL give the same days (UTC).
"""
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..i18n import pick
from ..models import (
    AdjudicationQueue,
    Category,
    Decision,
    Outcome,
    Petition,
    Role,
    Status,
    User,
)
from . import workflow

OPEN = workflow.WITH_AGENCY
WINDOW_DAYS = 30


@dataclass
class QueueRow:
    code: str
    name: str
    depth: int
    oldest: object  # the submission time of the oldest queued case, or None
    past_due: int


def queue_rows(country, today: date) -> list[QueueRow]:
    queued = sa.and_(Petition.queue_id == AdjudicationQueue.id, Petition.status == Status.QUEUED)
    depth = sa.select(sa.func.count()).where(queued).scalar_subquery()
    oldest = sa.select(sa.func.min(Petition.submitted_at)).where(queued).scalar_subquery()
    past_due = sa.select(sa.func.count()).where(
        Petition.queue_id == AdjudicationQueue.id, Petition.status.in_(OPEN),
        Petition.due_date < today).scalar_subquery()
    rows = db.session.execute(
        sa.select(AdjudicationQueue.code, AdjudicationQueue.name_en, AdjudicationQueue.name_fr,
                  depth, oldest, past_due)
        .where(AdjudicationQueue.country == country)
        .order_by(AdjudicationQueue.is_triage.desc(), AdjudicationQueue.name)).all()
    # The queue's name in the reader's language (the column alone is the English one).
    return [QueueRow(code, pick(en, fr), *rest) for code, en, fr, *rest in rows]


def _final_decisions(country, since):
    """(day, outcome, category code) of the final decisions since ``since``: approvals and
    denials a supervisor confirmed (a denial awaiting review or returned is not one).
    SQL keeps only decisions made or reviewed since then (ix_decisions_decided_at), not
    every decision the country ever made; Python applies the exact rule."""
    rows = db.session.execute(
        sa.select(Decision.decided_at, Decision.reviewed_at, Decision.outcome, Category.code)
        .join(Petition, Petition.id == Decision.petition_id)
        .join(Category, Category.id == Petition.category_id)
        .where(Petition.destination_country == country,
               Decision.outcome.in_((Outcome.APPROVED, Outcome.DENIED)),
               sa.or_(Decision.review_state.is_(None), Decision.review_state == "approved"),
               sa.or_(Decision.decided_at >= since, Decision.reviewed_at >= since))
    ).all()
    out = []
    for decided_at, reviewed_at, outcome, code in rows:
        at = reviewed_at if outcome == Outcome.DENIED and reviewed_at else decided_at
        if at >= since:
            out.append((at.date(), outcome, code))
    return out


def decisions_per_day(country, today: date, days: int = WINDOW_DAYS) -> list[tuple]:
    """[(day, approved, denied)] for each of the last ``days`` days, oldest first."""
    start = today - timedelta(days=days - 1)
    since = datetime.combine(start, time.min, UTC)
    counts = defaultdict(Counter)
    for day, outcome, _code in _final_decisions(country, since):
        counts[day][outcome] += 1
    return [(start + timedelta(days=i), counts[start + timedelta(days=i)][Outcome.APPROVED],
             counts[start + timedelta(days=i)][Outcome.DENIED]) for i in range(days)]


def approval_rates(country, today: date, days: int = WINDOW_DAYS) -> list[tuple]:
    """[(category code, approved, denied, rate in %)] over the last ``days`` days."""
    start = today - timedelta(days=days - 1)
    since = datetime.combine(start, time.min, UTC)
    counts = defaultdict(Counter)
    for _day, outcome, code in _final_decisions(country, since):
        counts[code][outcome] += 1
    rows = []
    for code in sorted(counts):
        approved, denied = counts[code][Outcome.APPROVED], counts[code][Outcome.DENIED]
        rows.append((code, approved, denied, round(100 * approved / (approved + denied))))
    return rows


def workload(country) -> list[tuple]:
    """[(officer, cases in review)] for every officer and supervisor of the country."""
    count = sa.select(sa.func.count()).where(
        Petition.assigned_officer_id == User.id,
        Petition.status == Status.IN_REVIEW).scalar_subquery()
    return db.session.execute(
        sa.select(User, count).where(User.country == country,
                                     User.role.in_((Role.OFFICER, Role.SUPERVISOR)))
        .order_by(User.name)).all()


def in_review(country) -> list[Petition]:
    return db.session.scalars(sa.select(Petition).where(
        Petition.destination_country == country, Petition.status == Status.IN_REVIEW)
        .order_by(Petition.claimed_at)).all()
