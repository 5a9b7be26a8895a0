"""What a claim writes, and in how many statements: the petition taken, its event, the
audit entry and the event's fan-out row, all by the claiming officer, each exactly once;
on PostgreSQL in the claim's one statement (a WITH), elsewhere one statement each. Officers
claiming at once never share a case, and each case's records are written once (the CI runs
this file on PostgreSQL too, where the claim's row locks decide)."""
import threading
from collections import Counter

import sqlalchemy as sa

from tests.statements import counted, queries
from tests.unit.test_status import queued
from traveler_portal.domain import adjudication, outbox, public_events
from traveler_portal.extensions import db
from traveler_portal.models import AuditEntry, Event, OutboxMessage, Petition, Status, User

QUEUE = "US-BLAINE"


def _published(monkeypatch) -> list:
    """The messages the relay publishes after a commit (the tests' broker is away)."""
    sent = []
    monkeypatch.setattr(outbox, "publish_task", lambda name, args, queue, task_id=None:
                        sent.append((name, args, queue)))
    return sent


def test_a_claim_writes_its_event_audit_entry_and_fan_out_once_each(make, monkeypatch):
    sent = _published(monkeypatch)
    traveler, officer = make.user("traveler"), make.user("officer", country="US")
    petition = queued(traveler)
    version = petition.version
    db.session.commit()
    sent.clear()  # the submission's and the routing's

    claimed = adjudication.claim_next(officer, QUEUE)

    assert claimed.id == petition.id
    assert (claimed.status, claimed.assigned_officer_id, claimed.version) == \
        (Status.IN_REVIEW, officer.id, version + 1)
    assert claimed.claimed_at is not None and claimed.reserved_officer_id is None
    event = db.session.scalars(sa.select(Event).where(Event.petition_id == petition.id,
                                                      Event.action == "claim")).one()
    assert (event.actor_id, event.from_status, event.to_status, event.public) == \
        (officer.id, Status.QUEUED, Status.IN_REVIEW, True)
    assert event.at == claimed.claimed_at
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "case.claim")).one()
    assert (entry.actor_id, entry.actor_email, entry.country, entry.object_type,
            entry.object_id, entry.petition_id, entry.details) == \
        (officer.id, officer.email, "US", "petition", petition.receipt_number, petition.id,
         {"queue": QUEUE})
    fan_out = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.task_name == public_events.FAN_OUT_TASK,
        OutboxMessage.args[0].as_integer() == event.id)).one()
    assert fan_out.args == [event.id, "en"] and fan_out.published_at is not None
    assert sent == [(public_events.FAN_OUT_TASK, [event.id, "en"], public_events.QUEUE)]


def test_a_claim_is_one_statement_on_postgresql(make, monkeypatch):
    _published(monkeypatch)
    traveler, officer = make.user("traveler"), make.user("officer", country="US")
    queued(traveler)
    db.session.commit()
    assert officer.is_agency  # the officer's row read again before, as a request has it
    with counted(db.engine) as statements:
        assert adjudication.claim_next(officer, QUEUE) is not None
    # PostgreSQL: UPDATE, event, audit entry and fan-out row in one WITH (four before);
    # SQLite: the UPDATE, then the three rows.
    assert len(queries(statements)) == (1 if db.engine.dialect.name == "postgresql" else 4)


def test_officers_claiming_at_once_each_get_their_own_cases(app, make):
    traveler = make.user("traveler")
    officers = [make.user("officer", country="US").id for _ in range(4)]
    receipts = {queued(traveler, days_ahead=10 + i).receipt_number for i in range(12)}
    db.session.commit()
    start, claims, errors = threading.Barrier(len(officers)), [], []

    def claim_all(officer_id):
        with app.app_context():
            officer = db.session.get(User, officer_id)
            db.session.commit()  # SQLite: a transaction holds the write lock from its start
            start.wait()
            try:
                while (petition := adjudication.claim_next(officer, QUEUE)) is not None:
                    claims.append((petition.receipt_number, officer_id))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(repr(exc))

    threads = [threading.Thread(target=claim_all, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(r for r, _ in claims) == sorted(receipts)  # each once, none missed
    db.session.expire_all()
    rows = db.session.execute(sa.select(Petition.receipt_number, Petition.assigned_officer_id)
                              .where(Petition.status == Status.IN_REVIEW)).all()
    assert sorted(rows) == sorted(claims)
    events = db.session.execute(sa.select(Petition.receipt_number, Event.actor_id).join(
        Event, Event.petition_id == Petition.id).where(Event.action == "claim")).all()
    entries = db.session.execute(sa.select(AuditEntry.object_id, AuditEntry.actor_id).where(
        AuditEntry.action == "case.claim")).all()
    assert sorted(events) == sorted(entries) == sorted(claims)
    claim_events = db.session.scalars(sa.select(Event.id).where(Event.action == "claim"))
    fanned = Counter(args[0] for args in db.session.scalars(sa.select(OutboxMessage.args).where(
        OutboxMessage.task_name == public_events.FAN_OUT_TASK)))
    assert all(fanned[event_id] == 1 for event_id in claim_events)
