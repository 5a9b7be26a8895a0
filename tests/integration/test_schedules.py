"""Scheduled casework (domain/schedules.py, run by beat through workers/schedules.py), with
time frozen: a deadline breach raises the priority once and emails the country's
supervisors once (real SMTP sink); approvals past their validity become expired (the
traveler's page and the API say so); every sweep run twice at once, by two threads, has one
effect; the Redis lock lets one run through at a time."""
import threading
from datetime import date, timedelta

import pytest
import redis
import sqlalchemy as sa
from babel.dates import format_date

from tests.integration.workspace_helpers import FROZEN, petition_row, queued, text
from tests.unit.test_web_auth import sign_in
from traveler_portal import locks
from traveler_portal.domain import accounts, adjudication, notifications, schedules, workspace
from traveler_portal.domain.adjudication import DecisionInput
from traveler_portal.extensions import db
from traveler_portal.models import AuditEntry, Notification, Petition, Status
from traveler_portal.models.users import utcnow

LATE = FROZEN - timedelta(days=1)


def set_fields(receipt: str, **values):
    db.session.execute(sa.update(Petition).where(Petition.receipt_number == receipt)
                       .values(**values))
    db.session.commit()


def breach_notes() -> list[Notification]:
    return db.session.scalars(sa.select(Notification).where(Notification.kind == "agency")
                              .order_by(Notification.id)).all()


def twice_at_once(app, work) -> list:
    """Run ``work()`` in two threads started together, each in its own app context."""
    barrier, results = threading.Barrier(2), []

    def run():
        with app.app_context():
            barrier.wait()
            results.append(work())
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 2, "a sweep thread failed"
    return results


def test_a_breach_raises_priority_once_and_emails_the_supervisors_once(
        app, make, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", smtp_server.url)
    supervisor = make.user("supervisor", country="US", name="Sam Supervisor")
    canadian = make.user("supervisor", country="CA")
    receipt = queued(make.user("traveler"), category="TN", port="BLAINE").receipt_number
    on_time = queued(make.user("traveler"), category="TN", port="BLAINE").receipt_number
    set_fields(receipt, due_date=LATE)
    set_fields(on_time, due_date=FROZEN)  # due today: not late yet
    priority = petition_row(receipt).priority

    assert schedules.escalate_breaches(today=FROZEN) == 1
    assert schedules.escalate_breaches(today=FROZEN) == 0
    assert petition_row(receipt).priority == priority + schedules.BREACH_PRIORITY_BOOST
    assert petition_row(on_time).priority == priority
    [note] = breach_notes()
    assert note.user_id == supervisor.id and note.email_state == "pending"
    assert canadian.id not in {n.user_id for n in breach_notes()}

    # The email goes out through the notifications path (its Celery task's body).
    assert notifications.send_email(note.id)
    assert not notifications.send_email(note.id)
    [mail] = smtp_server.to(supervisor.email)
    assert mail["Subject"] == \
        f"{receipt}: past its due date ({format_date(LATE, 'long', locale='en')})"
    body = mail.get_payload(decode=True).decode()
    assert "Hello Sam Supervisor" in body and f"/officer/cases/{receipt}" in body
    assert smtp_server.to(canadian.email) == []
    marker = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == schedules.BREACH_ACTION)).one()
    assert (marker.object_id, marker.petition_id) == (LATE.isoformat(),
                                                      petition_row(receipt).id)

    # Days later the same breach is not escalated again; the other case, now late, is.
    assert schedules.escalate_breaches(today=FROZEN + timedelta(days=3)) == 1
    assert petition_row(receipt).priority == priority + schedules.BREACH_PRIORITY_BOOST
    assert [n.petition.receipt_number for n in breach_notes()] == [receipt, on_time]
    # A new due date that passes too is a new breach.
    set_fields(receipt, due_date=FROZEN + timedelta(days=4))
    assert schedules.escalate_breaches(today=FROZEN + timedelta(days=5)) == 1
    assert len(breach_notes()) == 3


def test_a_case_in_review_breaches_too_and_a_held_one_does_not(make):
    officer = make.user("officer", country="US")
    make.user("supervisor", country="US")
    reviewing = queued(make.user("traveler"), category="TN", port="BLAINE").receipt_number
    held = queued(make.user("traveler"), category="TN", port="BLAINE").receipt_number
    workspace.claim(officer, reviewing)
    workspace.claim(officer, held)
    workspace.hold(officer, held, FROZEN + timedelta(days=9), "Registry check", today=FROZEN)
    set_fields(reviewing, due_date=LATE)
    set_fields(held, due_date=LATE)

    assert schedules.escalate_breaches(today=FROZEN) == 1
    assert [n.petition.receipt_number for n in breach_notes()] == [reviewing]


def approved(make, valid_days=30) -> tuple[str, date, object]:
    traveler = make.user("traveler")
    officer = make.user("officer", country="US")
    receipt = queued(traveler, category="TN", port="BLAINE").receipt_number
    workspace.claim(officer, receipt)
    valid_until = utcnow().date() + timedelta(days=valid_days)
    adjudication.decide(officer, receipt, DecisionInput(outcome="approved",
                                                        valid_until=valid_until))
    return receipt, valid_until, traveler


def test_approvals_past_their_validity_expire_and_the_traveler_sees_it(app, make):
    receipt, valid_until, traveler = approved(make)
    token, _row = accounts.issue_token(traveler)
    email = traveler.email
    db.session.commit()

    assert schedules.expire_approvals(today=valid_until) == 0  # valid through its last day
    assert petition_row(receipt).status == Status.APPROVED
    assert schedules.expire_approvals(today=valid_until + timedelta(days=1)) == 1
    assert schedules.expire_approvals(today=valid_until + timedelta(days=1)) == 0
    petition = petition_row(receipt)
    assert petition.status == Status.EXPIRED
    assert petition.events[-1].action == "expire" and petition.events[-1].public
    db.session.rollback()

    body = app.test_client().get(f"/api/v1/petitions/{receipt}",
                                 headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["status"] == "expired"
    web = app.test_client()
    assert sign_in(web, email).status_code in (302, 303)
    page = text(web.get(f"/my/petitions/{receipt}"))
    assert "Approval expired" in page and "Approval has expired" in page


def test_each_sweep_run_twice_at_once_has_one_effect(app, make):
    make.user("supervisor", country="US")
    officer = make.user("officer", country="US")
    late = queued(make.user("traveler"), category="TN", port="BLAINE").receipt_number
    set_fields(late, due_date=LATE)
    held = queued(make.user("traveler"), category="TN", port="BLAINE").receipt_number
    workspace.claim(officer, held)
    workspace.hold(officer, held, FROZEN + timedelta(days=1), "Registry", today=FROZEN)
    expiring, valid_until, _t = approved(make)
    priority = petition_row(late).priority
    db.session.rollback()  # no transaction of this context open while the threads run

    assert sorted(twice_at_once(app, lambda: schedules.escalate_breaches(FROZEN))) == [0, 1]
    assert sorted(twice_at_once(app, lambda: schedules.resume_holds(
        FROZEN + timedelta(days=1)))) == [0, 1]
    assert sorted(twice_at_once(app, lambda: schedules.expire_approvals(
        valid_until + timedelta(days=1)))) == [0, 1]

    assert petition_row(late).priority == priority + schedules.BREACH_PRIORITY_BOOST
    assert len(breach_notes()) == 1
    assert [e.action for e in petition_row(held).events].count("resume") == 1
    assert [e.action for e in petition_row(expiring).events].count("expire") == 1


@pytest.fixture
def lock_redis(app, broker_url, monkeypatch):
    """The lock on a real Redis (the tests' broker); the app's own test broker is a dead
    address on purpose."""
    monkeypatch.setitem(app.config, "LOCK_REDIS_URL", broker_url)
    with app.app_context():
        client = redis.Redis.from_url(locks.redis_url())
    client.delete("portal:lock:casework.escalate_breaches")
    return client


def test_the_redis_lock_lets_one_run_through_at_a_time(app, make, lock_redis):
    make.user("supervisor", country="US")
    late = queued(make.user("traveler"), category="TN", port="BLAINE").receipt_number
    set_fields(late, due_date=LATE)
    db.session.rollback()

    held = lock_redis.lock("portal:lock:casework.escalate_breaches", timeout=30)
    assert held.acquire(blocking=False)
    assert locks.run_exclusively("casework.escalate_breaches", schedules.escalate_breaches,
                                 FROZEN) is None
    assert breach_notes() == []  # nothing done while another run holds the lock
    held.release()
    db.session.rollback()

    started = threading.Event()

    def slow_sweep(today):
        started.set()
        return schedules.escalate_breaches(today)
    results = twice_at_once(app, lambda: locks.run_exclusively(
        "casework.escalate_breaches", slow_sweep, FROZEN))
    assert started.is_set()
    # Either the second run found the lock taken (None) or it ran after the first (0).
    assert results.count(1) == 1 and set(results) <= {0, 1, None}
    assert len(breach_notes()) == 1
    assert lock_redis.get("portal:lock:casework.escalate_breaches") is None  # released


def test_the_sweeps_are_scheduled_on_the_periodic_queue(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    tasks = {entry["task"]: entry["options"]["queue"] for entry in schedule.values()}
    for name in ("casework.escalate_breaches", "casework.resume_holds",
                 "casework.expire_approvals"):
        assert tasks[name] == "periodic"
