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
import time
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, with_expression

from ..extensions import db
from ..models import Petition, Status
from ..models.users import utcnow
from . import queue_ranks, routing, workflow

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


def sample_stats(durations: list[float]) -> tuple[int, int, int] | None:
    """Median, 80th percentile (whole days) and size of a sample of decision durations;
    ``None`` below two cases. The 80th percentile is the 8th decile, inclusive method
    (never above the slowest)."""
    if len(durations) < 2:
        return None
    return (_whole_days(statistics.median(durations)),
            _whole_days(statistics.quantiles(durations, n=10, method="inclusive")[7]),
            len(durations))


def from_stats(stats, start: date, travel_date: date | None, minimum: int) -> Estimate | None:
    """The estimate from ``sample_stats``; ``None`` below ``minimum`` cases."""
    if stats is None or stats[2] < max(minimum, 2):
        return None
    median, p80, size = stats
    expected_by = start + timedelta(days=median)
    return Estimate(median, p80, size, expected_by,
                    bool(travel_date and expected_by > travel_date))


def summarise(durations: list[float], start: date, travel_date: date | None,
              minimum: int) -> Estimate | None:
    """The estimate from decision durations in days; ``None`` below ``minimum`` cases."""
    return from_stats(sample_stats(durations), start, travel_date, minimum)


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


def _cached_stats(queue_id: int, category_id: int, limit: int):
    """``sample_stats`` of ``decided_durations``, kept ESTIMATE_CACHE_SECONDS in this
    process (per app): the sample is the queue's last ``limit`` decisions, so a decision
    made meanwhile moves a median over up to 500 cases by a fraction of a day at most,
    while reading and converting those rows was a third of a status call (and the median
    and percentile of 500 values, recomputed per call, a tenth). 0 reads them on every
    call."""
    ttl = float(current_app.config.get("ESTIMATE_CACHE_SECONDS", 0))
    if ttl <= 0:
        return sample_stats(decided_durations(queue_id, category_id, limit))
    cache = current_app.extensions.setdefault("status_durations", {})
    key, now = (queue_id, category_id, limit), time.monotonic()
    found = cache.get(key)
    if found is None or found[0] <= now:
        found = cache[key] = (now + ttl,
                              sample_stats(decided_durations(queue_id, category_id, limit)))
    return found[1]


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
    ``cache`` shares the sample of one (queue, category) between petitions."""
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
        cache[key] = _cached_stats(queue.id, petition.category_id, limit)
    start = petition.submitted_at.date() if petition.submitted_at else today
    return from_stats(cache[key], start, petition.travel_date, minimum)


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
# A loader option for a query of petitions: each one's count of petitions ahead, read in
# the same statement (``Petition.queue_ahead``; NULL unless queued), so that
# ``queue_positions`` needs no statement of its own for them.
WITH_POSITION = with_expression(Petition.queue_ahead, sa.case(
    (Petition.status == S.QUEUED, _ahead_count(Petition, aliased(Petition))), else_=None))


def _loaded_ahead(petition):
    """The count ahead read with the petition (WITH_POSITION), else None. (The state's
    ``dict``, not ``attrs``: that builds an AttributeState for each of the model's ~50
    attributes on every petition it is first asked of.)"""
    state = sa.inspect(petition, raiseerr=False)
    return state.dict.get("queue_ahead") if state is not None else None


def queue_positions(petitions) -> dict[int, int]:
    """Position of each queued petition in its queue: read with the petitions when their
    query asked for it (WITH_POSITION), else for a page of petitions in one pass per queue
    (queue_ranks), else in one query."""
    found, ids = {}, []
    for p in petitions:
        if p.status != S.QUEUED or p.queue_id is None:
            continue
        ahead = _loaded_ahead(p)
        if isinstance(ahead, int):
            found[p.id] = ahead + 1
        else:
            ids.append(p.id)
    if len(ids) > 1:  # a page of petitions: one pass per queue, not one count per row
        found.update(queue_ranks.places(ids))
    elif ids:
        rows = db.session.execute(_POSITIONS, {"ids": ids}).all()
        found.update({pid: count + 1 for pid, count in rows})
    return found


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
