"""Status the way travelers ask for it: who the petition is waiting on, its place in its
queue, and an estimate of the decision date from the real decided cases of the same queue
and category. Read-only: queries and pure functions, nothing here commits.

- ``waiting_on``: "applicant" (draft, evidence requested), "agency" (received, queued, in
  review and the agency's internal states), ``None`` once closed. A draft an employer
  prepares waits on "employer" until its required documents are on file, then on
  "applicant" (the employee attests).
- ``queue_position``: 1 for the petition the next ``adjudication.claim_next`` would hand
  out (priority descending, then due date, then ``submitted_at``, then ``id``); ``None``
  unless queued.
- ``estimate``: median and 80th percentile of ``decided_at - submitted_at`` (in days) over
  the most recent ``ESTIMATE_SAMPLE_LIMIT`` decided cases (approved, denied, and approvals
  since expired) of the same queue and category; ``None`` below ``ESTIMATE_MIN_SAMPLE``.
  A petition not routed yet (a draft, or submitted a moment ago) is estimated for the queue
  routing would choose today. ``expected_by`` counts the median from ``submitted_at``; for a
  draft, from today (as if it were submitted now). Closed petitions have no estimate.
"""
import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Petition, Status
from ..models.users import utcnow
from . import routing, workflow

S = Status
APPLICANT, EMPLOYER, AGENCY = workflow.APPLICANT, workflow.EMPLOYER, workflow.AGENCY
WAITING_ON, DECIDED, OPEN = workflow.WAITING_ON, workflow.DECIDED, workflow.OPEN
DEFAULT_MIN_SAMPLE, DEFAULT_SAMPLE_LIMIT = 5, 500


@dataclass(frozen=True)
class Estimate:
    median_days: int
    p80_days: int
    sample_size: int
    expected_by: date
    after_travel_date: bool

    def as_json(self) -> dict:
        return {"median_days": self.median_days, "p80_days": self.p80_days,
                "sample_size": self.sample_size, "expected_by": self.expected_by.isoformat(),
                "after_travel_date": self.after_travel_date}


@dataclass(frozen=True)
class StatusInfo:
    status: Status  # as the viewer is shown it
    waiting_on: str | None
    queue: object  # the AdjudicationQueue it sits in, or None
    queue_position: int | None
    estimate: Estimate | None


def waiting_on(petition) -> str | None:
    """Who must act next. A draft an employer prepared waits on the employer while a
    required document is missing (the employer uploads it), then on the employee, who
    reviews and attests."""
    # (A row of the CSV export carries plain columns only, no organization: such a row
    # reads the status's own word.)
    if petition.status == Status.DRAFT and getattr(petition, "organization_id", None) and \
            petition.created_by_id != petition.traveler_id:
        on_file = {d.kind for d in petition.documents}
        if any(r.required and r.kind not in on_file
               for r in petition.category.required_documents):
            return workflow.EMPLOYER
    return WAITING_ON.get(petition.status)


def _whole_days(value: float) -> int:
    """Days rounded up ("decided within N days"), ignoring float noise."""
    return math.ceil(round(value, 6))


def summarise(durations: list[float], start: date, travel_date: date | None,
              minimum: int) -> Estimate | None:
    """The estimate from decision durations in days; ``None`` below ``minimum`` cases.
    The 80th percentile is the 8th decile, inclusive method (never above the slowest)."""
    if len(durations) < max(minimum, 2):
        return None
    median = _whole_days(statistics.median(durations))
    p80 = _whole_days(statistics.quantiles(durations, n=10, method="inclusive")[7])
    expected_by = start + timedelta(days=median)
    return Estimate(median, p80, len(durations), expected_by,
                    bool(travel_date and expected_by > travel_date))


_DURATIONS = (
    sa.select(Petition.submitted_at, Petition.decided_at).where(
        Petition.queue_id == sa.bindparam("queue_id"),
        Petition.category_id == sa.bindparam("category_id"),
        Petition.status.in_(DECIDED), Petition.submitted_at.is_not(None),
        Petition.decided_at.is_not(None))
    .order_by(Petition.decided_at.desc(), Petition.id.desc())
    .limit(sa.bindparam("limit", type_=sa.Integer)))


def decided_durations(queue_id: int, category_id: int, limit: int) -> list[float]:
    """Days from submission to decision of the ``limit`` most recently decided cases of
    the queue and category: one query reading two timestamps a row (built once; the
    index ix_petitions_decided_sample serves it)."""
    rows = db.session.execute(_DURATIONS, {"queue_id": queue_id, "category_id": category_id,
                                           "limit": limit}).all()
    return [max(0.0, (decided - submitted).total_seconds() / 86400)
            for submitted, decided in rows]


def _settings() -> tuple[int, int]:
    cfg = current_app.config
    return (int(cfg.get("ESTIMATE_MIN_SAMPLE", DEFAULT_MIN_SAMPLE)),
            int(cfg.get("ESTIMATE_SAMPLE_LIMIT", DEFAULT_SAMPLE_LIMIT)))


def queue_for(petition, today: date):
    """The queue it sits in, or (not routed yet) the one routing would choose today."""
    if petition.queue is not None:
        return petition.queue
    try:
        return routing.choose_queue(petition, today).queue
    except LookupError:  # no reference data for the country
        return None


def estimate(petition, today: date | None = None, queue=None,
             cache: dict | None = None) -> Estimate | None:
    """The estimate for an open petition (``None`` when closed or too little data).
    ``cache`` shares the durations of one (queue, category) between petitions."""
    if petition.status not in OPEN:
        return None
    today = today or utcnow().date()
    queue = queue or queue_for(petition, today)
    if queue is None:
        return None
    minimum, limit = _settings()
    key = (queue.id, petition.category_id)
    cache = {} if cache is None else cache
    if key not in cache:
        cache[key] = decided_durations(queue.id, petition.category_id, limit)
    start = petition.submitted_at.date() if petition.submitted_at else today
    return summarise(cache[key], start, petition.travel_date, minimum)


def _ahead_count(p, ahead):
    """How many queued petitions of p's queue the claim order puts before p."""
    never = sa.literal(date(9999, 12, 31))  # no due date sorts last, as in CLAIM_ORDER
    ahead_due, p_due = sa.func.coalesce(ahead.due_date, never), sa.func.coalesce(p.due_date, never)
    before = sa.or_(ahead.priority > p.priority, sa.and_(
        ahead.priority == p.priority, sa.or_(ahead_due < p_due, sa.and_(
            ahead_due == p_due, sa.or_(
                ahead.submitted_at < p.submitted_at,
                sa.and_(ahead.submitted_at == p.submitted_at, ahead.id < p.id))))))
    return (sa.select(sa.func.count()).select_from(ahead)
            .where(ahead.queue_id == p.queue_id, ahead.status == S.QUEUED, before)
            .correlate(p).scalar_subquery())


def _positions_statement():
    """The positions query, built once: constructing this expression cost more than
    running it (~4.5 ms of a ~7 ms status call), so every call reuses the same statement
    with its ids bound (SQLAlchemy then also finds its compiled form in the cache)."""
    p, ahead = aliased(Petition), aliased(Petition)
    return (sa.select(p.id, _ahead_count(p, ahead))
            .where(p.id.in_(sa.bindparam("ids", expanding=True)), p.status == S.QUEUED))


_POSITIONS = _positions_statement()


def queue_positions(petitions) -> dict[int, int]:
    """Position of each queued petition in its queue, in one query for the whole batch."""
    ids = [p.id for p in petitions if p.status == S.QUEUED and p.queue_id is not None]
    if not ids:
        return {}
    rows = db.session.execute(_POSITIONS, {"ids": ids}).all()
    return {pid: count + 1 for pid, count in rows}


def queue_position(petition) -> int | None:
    return queue_positions([petition]).get(petition.id)


def for_petitions(petitions, viewer=None, today: date | None = None) -> dict:
    """``StatusInfo`` per petition id: positions in one query, estimates in one query per
    distinct (queue, category), predicted queues once per (country, port, category)."""
    today = today or utcnow().date()
    agency = viewer is not None and viewer.is_agency
    positions, durations, predicted, result = queue_positions(petitions), {}, {}, {}
    for p in petitions:
        queue = p.queue
        if queue is None and p.status in OPEN:
            key = (p.destination_country, p.port_id, p.category_id)
            if key not in predicted:
                predicted[key] = queue_for(p, today)
            queue = predicted[key]
        result[p.id] = StatusInfo(
            status=p.status if agency else workflow.public_status(p.status),
            waiting_on=waiting_on(p), queue=p.queue if p.status != S.DRAFT else None,
            queue_position=positions.get(p.id),
            estimate=estimate(p, today, queue, durations) if queue else None)
    return result


def for_petition(petition, viewer=None, today: date | None = None) -> StatusInfo:
    return for_petitions([petition], viewer, today)[petition.id]
