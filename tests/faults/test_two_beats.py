"""Two beats running by mistake, for a few cycles: every periodic task fires twice at the
same moment, yet each breached deadline is escalated once — all of them by the first run,
none left for a later interval — and each reminder is sent once."""
import re
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.live import wait_for
from traveler_portal.domain import routing, schedules
from traveler_portal.extensions import db
from traveler_portal.models import AuditEntry, Notification, Petition
from traveler_portal.models.users import utcnow

pytestmark = pytest.mark.faults
BREACHED = 8


def test_two_beats_escalate_and_remind_once_each_without_delay(fault_app, stack, smtp_server):
    with fault_app.app_context():
        supervisor = factories.user("supervisor", country="US").email
        traveler = factories.user("traveler")
        address = traveler.email
        for i in range(BREACHED):
            petition = factories.submitted(traveler, days_ahead=3 + i % 5)
            assert routing.route(petition.id)
        db.session.execute(sa.update(Petition).values(
            due_date=utcnow().date() - timedelta(days=1)))
        db.session.commit()
    stack.env.update({"CASEWORK_SWEEP_SECONDS": "2", "REMINDER_SWEEP_SECONDS": "2"})
    worker = stack.worker(concurrency=3, wait=False)
    beats = [stack.beat(wait=False), stack.beat(wait=False)]
    stack.ready(worker, *beats)

    def cycles(beat):
        return beat.output().count("Sending due task deadline-breaches")
    wait_for(lambda: all(cycles(b) >= 4 for b in beats), 50, "four cycles of both beats")

    wait_for(lambda: db_count(fault_app, Notification.email_state == "pending") == 0, 30,
             "every email sent")
    with fault_app.app_context():
        escalated = Counter(db.session.scalars(sa.select(AuditEntry.petition_id).where(
            AuditEntry.action == schedules.BREACH_ACTION)))
        reminders = Counter(db.session.scalars(sa.select(Notification.dedup_key).where(
            Notification.kind == "reminder")))
        receipts = db.session.scalars(sa.select(Petition.receipt_number)).all()
    to_supervisor = Counter(m["Subject"] for m in smtp_server.to(supervisor))
    to_traveler = Counter(m["Subject"] for m in smtp_server.to(address)
                          if "no decision yet" in m["Subject"])
    runs = [int(n) for n in re.findall(
        r"casework\.escalate_breaches\[[^]]+\] succeeded in [0-9.]+s: (\d+)", worker.output())]
    print(f"\ntwo beats: {sum(map(cycles, beats))} escalation ticks; runs that escalated: "
          f"{[n for n in runs if n]}; escalations {sum(escalated.values())} for {BREACHED} "
          f"breaches; reminders {sum(reminders.values())}, reminder emails "
          f"{sum(to_traveler.values())}")
    assert sorted(escalated.values()) == [1] * BREACHED
    assert [n for n in runs if n] == [BREACHED]  # one run did all of them, at once
    assert sorted(to_supervisor.values()) == [1] * BREACHED
    assert all(any(r in s for s in to_supervisor) for r in receipts)
    assert sorted(reminders.values()) == [1] * BREACHED
    assert sorted(to_traveler.values()) == [1] * BREACHED


def db_count(app, *conditions) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                                     .where(*conditions))
        finally:
            db.session.rollback()
