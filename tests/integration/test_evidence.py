"""The evidence deadline sweep on the live stack: the beat task, run twice at once by the
real Celery worker, sends an unanswered request back to the officer who asked, once."""
import re
import time
from datetime import date, timedelta

import sqlalchemy as sa
from celery import Celery

from tests.integration.test_api_journey import wait_for_status
from tests.integration.test_notifications import queued_petition
from traveler_portal.extensions import db
from traveler_portal.models import Decision, Event, Petition


def test_the_deadline_task_run_twice_at_once_moves_the_case_once(app, api, live_server,
                                                                  broker_url):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert any(e["task"] == "petitions.evidence_deadlines"
               and e["options"]["queue"] == "periodic" for e in schedule.values())
    traveler, officer = api("traveler"), api("officer", country="US")
    receipt = queued_petition(api, traveler)
    assert officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    asked = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "evidence_requested", "respond_by": (date.today() + timedelta(days=10))
        .isoformat(), "evidence_items": [{
            "requirement": "Engineering degree", "kind": "credentials",
            "reason": "TN engineers need a degree; none is on file."}]})
    assert asked.status_code == 200, asked.text
    with app.app_context():
        petition_id = db.session.scalar(sa.select(Petition.id).where(
            Petition.receipt_number == receipt))
        db.session.execute(sa.update(Decision).where(Decision.petition_id == petition_id)
                           .values(respond_by=date.today() - timedelta(days=1)))
        db.session.commit()
    assert traveler.get(f"/petitions/{receipt}").json()["evidence_request"]["overdue"] is True

    sender = Celery(broker=broker_url)
    runs = [sender.send_task("petitions.evidence_deadlines", queue="periodic")
            for _ in range(2)]
    wait_for_status(officer, receipt, "in_review")
    done = [re.compile(rf"petitions\.evidence_deadlines\[{r.id}\] succeeded in [0-9.]+s: "
                       r"(\d+|None)") for r in runs]
    deadline = time.monotonic() + 30
    while not all(d.search(live_server.worker.output()) for d in done):
        assert time.monotonic() < deadline, "the sweeps did not both finish"
        time.sleep(0.2)
    # One run moves the case; the other finds nothing to do, or (when they overlap) leaves
    # the sweep to the run holding its lock (None).
    moved = [d.search(live_server.worker.output()).group(1) for d in done]
    assert sorted(moved) in (["0", "1"], ["1", "None"]), moved

    seen = officer.get(f"/petitions/{receipt}").json()
    assert seen["agency"]["assigned_officer"] == officer.email
    assert seen["evidence_request"]["no_response_at"] is not None
    with app.app_context():
        passed = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
            Event.petition_id == petition_id, Event.action == "evidence_deadline_passed"))
    assert passed == 1
