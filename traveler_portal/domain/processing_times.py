"""Published processing times: for each country, queue and category, the median and the
80th percentile of the days from submission to decision over the last
``PROCESSING_TIMES_WEEKS`` weeks (12), and how many decisions they rest on.

Computed from live data by a beat task (``processing_times.recompute``, hourly) into the
small ``processing_times`` table, which the public page and API read: a page view never
scans the petitions. Only figures are kept, nothing about any person.
"""
import statistics
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import AdjudicationQueue, Category, Petition, ProcessingTime
from ..models.users import utcnow
from . import uow, workflow
from .status import _whole_days


def _days(petition_rows) -> list[float]:
    return [(decided - submitted).total_seconds() / 86400
            for submitted, decided in petition_rows]


def figures(durations: list[float]) -> tuple[int, int]:
    """(median, 80th percentile) in whole days, rounded up ("decided within N days", so a
    decision the same hour is "within 1 day", never 0); the percentile by the inclusive
    method, so never above the slowest case."""
    if len(durations) == 1:
        median = p80 = durations[0]
    else:
        median = statistics.median(durations)
        p80 = statistics.quantiles(durations, n=10, method="inclusive")[7]
    return max(1, _whole_days(median)), max(1, _whole_days(p80))


@uow.atomic
def recompute() -> int:
    """Replace the published figures with today's; returns how many rows were written."""
    now = utcnow()
    end = now.date()
    start = end - timedelta(weeks=current_app.config["PROCESSING_TIMES_WEEKS"])
    rows = db.session.execute(
        sa.select(Petition.destination_country, AdjudicationQueue.code, AdjudicationQueue.name,
                  Category.code, Category.name, Petition.submitted_at, Petition.decided_at)
        .join(AdjudicationQueue, AdjudicationQueue.id == Petition.queue_id)
        .join(Category, Category.id == Petition.category_id)
        .where(Petition.status.in_(workflow.DECIDED), Petition.submitted_at.is_not(None),
               Petition.decided_at.is_not(None), Petition.decided_at >= now - timedelta(
                   weeks=current_app.config["PROCESSING_TIMES_WEEKS"]))).all()
    groups: dict[tuple, list] = {}
    for country, q_code, q_name, c_code, c_name, submitted, decided in rows:
        groups.setdefault((country, q_code, q_name, c_code, c_name), []).append(
            (submitted, decided))
    db.session.execute(sa.delete(ProcessingTime))
    for (country, q_code, q_name, c_code, c_name), pairs in sorted(groups.items()):
        median, p80 = figures(_days(pairs))
        db.session.add(ProcessingTime(
            country=country, queue_code=q_code, queue_name=q_name, category_code=c_code,
            category_name=c_name, median_days=median, p80_days=p80, decisions=len(pairs),
            period_start=start, period_end=end, computed_at=now))
    return len(groups)


def published(country: str) -> tuple[list[ProcessingTime], object]:
    """The country's published rows and when they were computed (None: never yet)."""
    rows = db.session.scalars(sa.select(ProcessingTime).where(ProcessingTime.country == country)
                              .order_by(ProcessingTime.queue_name,
                                        ProcessingTime.category_code)).all()
    computed = db.session.scalar(sa.select(sa.func.max(ProcessingTime.computed_at)))
    return rows, computed


def row_json(row: ProcessingTime) -> dict:
    return {"queue": row.queue_code, "queue_name": row.queue_name,
            "category": row.category_code, "category_name": row.category_name,
            "median_days": row.median_days, "p80_days": row.p80_days,
            "decisions": row.decisions, "period_start": row.period_start.isoformat(),
            "period_end": row.period_end.isoformat()}
