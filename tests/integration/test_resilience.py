"""A petition is never lost: not when the broker is down, not when a message is lost or
delivered twice, not when officers click at the same moment."""
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import sqlalchemy as sa
from celery import Celery

from tests import factories
from tests.integration.test_api_journey import file_tn_to_blaine, upload, wait_for_status
from tests.live import outbox_settled
from traveler_portal.domain import outbox
from traveler_portal.extensions import db
from traveler_portal.models import Event, OutboxMessage, Petition, Status
from traveler_portal.models.users import utcnow


def wait_in_db(app, predicate, timeout=30, what="the database"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            if predicate():
                return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def status_of(receipt):
    return db.session.scalar(sa.select(Petition.status).where(Petition.receipt_number == receipt))


def test_submission_while_the_broker_is_down_is_routed_when_it_returns(app, live_server):
    # This process's broker URL points at a closed port: exactly what the web side sees
    # while Redis is down. The submit must still succeed, quickly, with its outbox row.
    with app.app_context():
        traveler = factories.user("traveler")
        # A submit that blocked on the dead broker would hang here until pytest-timeout.
        petition = factories.submitted(traveler)
        receipt = petition.receipt_number
        assert status_of(receipt) in (Status.SUBMITTED, Status.QUEUED)
        messages = db.session.scalars(sa.select(OutboxMessage)).all()
        [route] = [m for m in messages if m.task_name == "petitions.route"]
        assert route.args == [petition.id]
        # The relay tried the dead broker, failed, stopped at the first message and kept
        # them all for the sweeper. (Not "still unpublished": on a loaded machine the live
        # beat's sweep, which takes rows older than 5 s, may already have published them;
        # that is the behaviour under test.)
        assert any(m.last_error for m in messages), "the relay never tried the broker"
    # The live beat's outbox sweep (reaching the real broker) publishes it; the live
    # worker routes it.
    wait_in_db(app, lambda: status_of(receipt) == Status.QUEUED, what="routing after sweep")
    # And every row ends up published: the sweep's, and the routing's own email (relayed
    # by the worker just after the routing commits, so not necessarily before it is seen).
    wait_in_db(app, lambda: outbox.unpublished_count() == 0, what="every row published")


def test_a_lost_routing_message_is_redriven(app, live_server):
    # A petition whose message vanished (published, then the worker died and the broker
    # lost it): only the stuck-submission sweep can save it.
    with app.app_context():
        petition = factories.submitted(factories.user("traveler"))
        receipt = petition.receipt_number
        db.session.execute(sa.update(OutboxMessage).values(published_at=utcnow()))
        db.session.execute(sa.update(Petition).where(Petition.id == petition.id).values(
            submitted_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
    wait_in_db(app, lambda: status_of(receipt) == Status.QUEUED, what="the re-drive")


def test_a_duplicate_routing_message_changes_nothing(app, api, live_server, broker_url):
    traveler = api("traveler")
    receipt = file_tn_to_blaine(traveler)["receipt_number"]
    upload(traveler, receipt, "passport")
    upload(traveler, receipt, "employer_letter")
    traveler.post(f"/petitions/{receipt}/submit")
    routed = wait_for_status(traveler, receipt, "queued")
    with app.app_context():
        petition_id = db.session.scalar(sa.select(Petition.id)
                                        .where(Petition.receipt_number == receipt))
    producer = Celery(broker=broker_url)
    result = producer.send_task("petitions.route", args=[petition_id], queue="routing")
    done = re.compile(rf"petitions\.route\[{result.id}\] succeeded in [0-9.]+s: False")
    deadline = time.monotonic() + 30
    while not done.search(live_server.worker.output()):
        assert time.monotonic() < deadline, "the duplicate was not processed"
        time.sleep(0.2)
    outbox_settled(app)  # and the original message's task: nothing will publish it again
    assert live_server.worker.output().count(f"petitions.route[{result.id}] received") == 1
    again = traveler.get(f"/petitions/{receipt}").json()
    assert again["timeline"] == routed["timeline"]
    with app.app_context():
        routes = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
            Event.action == "route"))
        assert routes == 1


def test_officers_claiming_at_once_never_share_a_petition(app, api, live_server):
    with app.app_context():
        traveler = factories.user("traveler")
        receipts = {factories.submitted(traveler, days_ahead=10 + i).receipt_number
                    for i in range(12)}
    wait_in_db(app, lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Petition)
                                              .where(Petition.status == Status.QUEUED)) == 12,
               what="12 petitions queued")
    officers = [api("officer", country="US") for _ in range(6)]

    def claim_all(officer):
        mine = []
        while True:
            response = officer.post("/queues/US-BLAINE/claim")
            assert response.status_code in (200, 204), response.text
            if response.status_code == 204:
                return mine
            mine.append(response.json()["receipt_number"])

    with ThreadPoolExecutor(len(officers)) as pool:
        claims = [r for batch in pool.map(claim_all, officers) for r in batch]
    assert sorted(claims) == sorted(receipts)  # each exactly once, none lost


def test_two_decisions_at_once_one_wins_and_the_other_is_told(api, live_server):
    traveler, officer = api("traveler"), api("officer", country="US")
    receipt = file_tn_to_blaine(traveler)["receipt_number"]
    upload(traveler, receipt, "passport")
    upload(traveler, receipt, "employer_letter")
    traveler.post(f"/petitions/{receipt}/submit")
    wait_for_status(traveler, receipt, "queued")
    assert officer.post("/queues/US-BLAINE/claim").status_code == 200
    approve = {"outcome": "approved",
               "valid_until": (date.today() + timedelta(days=300)).isoformat()}
    deny = {"outcome": "denied", "reason_codes": ["CREDENTIALS_INSUFFICIENT"],
            "message": "The degree does not match the profession."}
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(
            lambda body: officer.post(f"/petitions/{receipt}/decision", json=body),
            [approve, deny])
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    winner = first if first.status_code == 200 else second
    final = traveler.get(f"/petitions/{receipt}").json()
    # A denial waits for a supervisor (four eyes): the traveler still sees it in review.
    won = winner.json()["status"]
    assert final["status"] == {"denial_pending": "in_review"}.get(won, won)
    assert len([e for e in final["timeline"] if e["status"] in ("approved", "denied")]) == \
        (1 if won == "approved" else 0)
