"""Status the way travelers ask for it (domain/status.py): who the petition waits on, its
place in the queue (the exact claim order) and the decision estimate from the real decided
cases of its queue and category. The decided cases are made controlled: real petitions,
submitted and routed through the domain, whose status and timestamps the test then sets
directly in the database (the durations are what the estimate is about)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from traveler_portal.domain import adjudication, routing, status
from traveler_portal.extensions import db
from traveler_portal.models import Petition, Status
from traveler_portal.models.users import utcnow

S = Status


def queued(traveler, **kwargs) -> Petition:
    petition = factories.submitted(traveler, **kwargs)
    assert routing.route(petition.id)
    return db.session.get(Petition, petition.id)


def decide_directly(petition_id: int, days: float, to=S.APPROVED, ago_days: float = 1):
    """Make a decided case that took ``days`` from submission to decision."""
    decided = utcnow() - timedelta(days=ago_days)
    db.session.execute(sa.update(Petition).where(Petition.id == petition_id).values(
        status=to, decided_at=decided, submitted_at=decided - timedelta(days=days)))
    db.session.commit()
    db.session.expire_all()


def decided_sample(traveler, durations, **kwargs):
    for n, days in enumerate(durations):
        # older cases first: the last duration is the most recently decided
        decide_directly(queued(traveler, **kwargs).id, days, ago_days=len(durations) - n)


# --- waiting on ---------------------------------------------------------------------------

@pytest.mark.parametrize("state, expected", [
    (S.DRAFT, "applicant"), (S.EVIDENCE_REQUESTED, "applicant"),
    (S.SUBMITTED, "agency"), (S.QUEUED, "agency"), (S.IN_REVIEW, "agency"),
    (S.ON_HOLD, "agency"), (S.DENIAL_PENDING, "agency"),
    (S.APPROVED, None), (S.DENIED, None), (S.WITHDRAWN, None), (S.EXPIRED, None)])
def test_waiting_on_per_status(state, expected):
    assert status.waiting_on(Petition(status=state)) == expected


def test_every_status_has_a_waiting_on_rule():
    assert set(status.WAITING_ON) | {S.APPROVED, S.DENIED, S.WITHDRAWN, S.EXPIRED} == set(S)


# --- queue position -----------------------------------------------------------------------

def test_queue_position_follows_the_claim_order(make):
    traveler = make.user("traveler")
    officer = make.user("officer", country="US")
    # Priority rises as travel nears; equal priorities go by submission time, then id.
    late = queued(traveler, days_ahead=90)      # lowest priority
    soon = queued(traveler, days_ahead=5)       # highest priority
    tie_a = queued(traveler, days_ahead=40)
    tie_b = queued(traveler, days_ahead=40)
    tie_c = queued(traveler, days_ahead=40)
    same_time = utcnow() - timedelta(hours=3)
    db.session.execute(sa.update(Petition).where(Petition.id.in_([tie_b.id, tie_c.id]))
                       .values(submitted_at=same_time))   # b and c tie: the lower id first
    db.session.execute(sa.update(Petition).where(Petition.id == tie_a.id)
                       .values(submitted_at=same_time + timedelta(minutes=5)))
    db.session.commit()
    other_queue = queued(traveler, port="DERBY-LINE", days_ahead=2)  # its own queue
    draft = make.draft(traveler)

    petitions = [late, soon, tie_a, tie_b, tie_c]
    positions = status.queue_positions(petitions + [draft])
    assert positions == {soon.id: 1, tie_b.id: 2, tie_c.id: 3, tie_a.id: 4, late.id: 5}
    assert status.queue_position(draft) is None
    assert status.queue_position(other_queue) == 1

    # The claims hand them out in exactly that order.
    by_position = sorted(petitions, key=lambda p: positions[p.id])
    claimed = [adjudication.claim_next(officer, "US-BLAINE").receipt_number
               for _ in petitions]
    assert claimed == [p.receipt_number for p in by_position]
    assert status.queue_position(db.session.get(Petition, soon.id)) is None  # in review


# --- estimate -----------------------------------------------------------------------------

def test_estimate_from_the_decided_cases_of_the_same_queue_and_category(make):
    traveler = make.user("traveler")
    decided_sample(traveler, [2, 4, 6, 8])
    p = queued(traveler, days_ahead=30)
    assert status.estimate(p) is None          # 4 decided cases: below the minimum of 5
    last = queued(traveler)
    decide_directly(last.id, 10, to=S.DENIED)  # denials count too
    # Neither another category in the same queue nor a withdrawn case counts.
    decide_directly(queued(traveler, category="B1").id, 100)
    decide_directly(queued(traveler).id, 200, to=S.WITHDRAWN)

    est = status.estimate(p)
    # durations 2, 4, 6, 8, 10: median 6; 80th percentile (inclusive) 8.4, rounded up.
    assert (est.median_days, est.p80_days, est.sample_size) == (6, 9, 5)
    assert est.expected_by == p.submitted_at.date() + timedelta(days=6)
    assert est.after_travel_date is False
    assert est.as_json() == {"median_days": 6, "p80_days": 9, "sample_size": 5,
                             "expected_by": est.expected_by.isoformat(),
                             "after_travel_date": False}


def test_estimate_reads_only_the_most_recent_cases(make, app, monkeypatch):
    traveler = make.user("traveler")
    decided_sample(traveler, [50, 50, 1, 2, 3])    # the 50s are the oldest decisions
    p = queued(traveler)
    assert status.estimate(p).median_days == 3
    monkeypatch.setitem(app.config, "ESTIMATE_SAMPLE_LIMIT", 3)
    monkeypatch.setitem(app.config, "ESTIMATE_MIN_SAMPLE", 3)
    est = status.estimate(p)
    assert (est.median_days, est.sample_size) == (2, 3)


def test_estimate_durations_are_kept_for_estimate_cache_seconds_then_read_again(
        make, app, monkeypatch):
    """Production keeps a queue's decision durations ESTIMATE_CACHE_SECONDS per process
    (the tests read them on every call): a decision made meanwhile shows once they
    expire."""
    clock = [1000.0]
    monkeypatch.setattr(status.time, "monotonic", lambda: clock[0])
    monkeypatch.setitem(app.config, "ESTIMATE_CACHE_SECONDS", 60)
    monkeypatch.setitem(app.extensions, "status_durations", {})
    traveler = make.user("traveler")
    decided_sample(traveler, [1, 2, 3, 4, 5])
    p = queued(traveler)
    assert status.estimate(p).median_days == 3
    decided_sample(traveler, [30, 30, 30, 30])    # the median moves to 5 days
    clock[0] += 59
    assert status.estimate(p).median_days == 3    # within the minute: as read before
    clock[0] += 2
    est = status.estimate(p)
    assert (est.median_days, est.sample_size) == (5, 9)


def test_no_estimate_on_an_empty_queue_nor_once_closed(make):
    traveler = make.user("traveler")
    p = queued(traveler)
    assert status.estimate(p) is None
    decided_sample(traveler, [1, 1, 1, 1, 1])
    assert status.estimate(p).sample_size == 5
    closed = queued(traveler)
    decide_directly(closed.id, 3)
    assert status.estimate(db.session.get(Petition, closed.id)) is None


def test_estimate_after_the_travel_date_is_flagged(make):
    traveler = make.user("traveler")
    decided_sample(traveler, [20, 20, 20, 20, 20])
    soon = queued(traveler, days_ahead=7)
    later = queued(traveler, days_ahead=60)
    assert status.estimate(soon).after_travel_date is True
    assert status.estimate(later).after_travel_date is False


def test_a_draft_is_estimated_for_the_queue_routing_would_choose_from_today(make):
    traveler = make.user("traveler")
    decided_sample(traveler, [3, 3, 3, 3, 3])
    decided_sample(traveler, [9, 9, 9, 9, 9], port="DERBY-LINE")  # another queue
    draft = make.draft(traveler)
    before = utcnow().date()
    info = status.for_petition(draft)
    after = utcnow().date()
    assert info.queue is None and info.waiting_on == "applicant"
    assert info.estimate.median_days == 3
    assert info.estimate.expected_by in {before + timedelta(days=3),
                                         after + timedelta(days=3)}


def test_summarise_is_pure_and_refuses_small_samples():
    day = utcnow().date()
    assert status.summarise([], day, None, 5) is None
    assert status.summarise([1.0] * 4, day, None, 5) is None
    est = status.summarise([0.5, 1.5, 2.5, 3.5, 4.5], day, day + timedelta(days=2), 5)
    assert (est.median_days, est.p80_days, est.after_travel_date) == (3, 4, True)
