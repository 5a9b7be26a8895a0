"""Three extra copies of every task kind, delivered at once (what at-least-once delivery
allows): routing, a public event's fan-out, case emails, webhook deliveries, invitations,
password resets and an import each have their side effect exactly once."""
from collections import Counter

import pytest
import sqlalchemy as sa

from tests import factories
from tests.integration.test_webhooks import Receiver
from tests.live import wait_for
from traveler_portal import celery_app
from traveler_portal.domain import (
    employee_imports,
    integrations,
    invitations,
    notifications,
    outbox,
    password_reset,
    public_events,
)
from traveler_portal.extensions import db
from traveler_portal.models import (
    EmployeeImport,
    Event,
    Invitation,
    Notification,
    OutboxMessage,
)

pytestmark = pytest.mark.faults
COPIES = 3


# Routing messages go to each country's queue (routing.US, routing.CA).
ROUTING_AND_IMPORTS = ("routing", *celery_app.ROUTING_QUEUES, "imports")


def copy_open_messages(app, queues: tuple, *also) -> int:
    """Publish every open outbox row of ``queues`` (and every row matching ``also``, open
    or not) COPIES more times, as the broker may."""
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).where(sa.or_(
            sa.and_(OutboxMessage.confirmed_at.is_(None), OutboxMessage.queue.in_(queues)),
            *also))).all()
        for row in rows:
            for _ in range(COPIES):
                outbox.publish_task(row.task_name, row.args, row.queue,
                                    outbox.task_id_for(row.id))
        db.session.rollback()
        return len(rows)


def open_rows(app, queues: tuple) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
                OutboxMessage.queue.in_(queues), sa.or_(OutboxMessage.confirmed_at.is_(None),
                                                        OutboxMessage.published_at.is_(None))))
        finally:
            db.session.rollback()


def fanned_out(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.task_name ==
                                            public_events.FAN_OUT_TASK))
        finally:
            db.session.rollback()


def test_concurrent_copies_of_every_task_have_one_effect(fault_app, stack, smtp_server):
    receiver = Receiver()
    try:
        with fault_app.app_context():
            employer = factories.user("employer", organization="Copies Ltd.")
            integrations.add_endpoint(employer, receiver.url)
            traveler = factories.user("traveler", organization="Copies Ltd.")
            for i in range(4):
                factories.submitted(traveler, days_ahead=20 + i)
            invited = [factories.email("invited") for _ in range(3)]
            for address in invited:
                invitations.invite(employer, "traveler", address)
            resetting = [factories.user("traveler").email for _ in range(3)]
            for address in resetting:
                password_reset.request_link(address)
            imported = [f"copy{i}@copies-ltd.example" for i in range(6)]
            csv = "name,email\n" + "".join(f"Person {i},{a}\n" for i, a in enumerate(imported))
            employee_imports.start(employer, "people.csv", csv.encode())
            watched = {traveler.email, *invited, *resetting, *imported}
        # Phase 1: routing and the import, each message four times, run concurrently.
        assert copy_open_messages(fault_app, ROUTING_AND_IMPORTS) == 5
        stack.ready(stack.worker(queues="routing,imports", concurrency=3, wait=False),
                    stack.worker(queues="routing,imports", concurrency=3, wait=False))
        wait_for(lambda: open_rows(fault_app, ROUTING_AND_IMPORTS) == 0, 50,
                 "routing and the import confirmed")
        # Phase 2: each event's fan-out (the traveler's notification and email, the
        # webhook deliveries), invitations and resets, four times each, at once.
        copied = copy_open_messages(fault_app, ("notifications",))
        assert fanned_out(fault_app) == 8  # each petition's submission and routing
        stack.ready(stack.worker(queues="notifications", concurrency=3, wait=False),
                    stack.worker(queues="notifications", concurrency=3, wait=False))
        wait_for(lambda: open_rows(fault_app, ("notifications",)) == 0, 50,
                 "every fan-out and email confirmed")
        # Phase 3: the deliveries the fan-out queued (published once, waiting for a
        # worker), four times each, at once; and the case emails, sent in phase 2, three
        # times more.
        copied += copy_open_messages(fault_app, ("webhooks",), OutboxMessage.task_name ==
                                     notifications.SEND_TASK)
        stack.ready(stack.worker(queues="notifications,webhooks", concurrency=3, wait=False),
                    stack.worker(queues="notifications,webhooks", concurrency=3, wait=False))
        wait_for(lambda: open_rows(fault_app, ("notifications", "webhooks")) == 0, 50,
                 "every delivery confirmed")

        with fault_app.app_context():
            routes = Counter(db.session.scalars(sa.select(Event.petition_id)
                                                .where(Event.action == "route")))
            invites = Counter(db.session.scalars(sa.select(Invitation.email)))
            # One notification per event and person, whatever ran twice.
            notes = Counter(db.session.execute(sa.select(Notification.user_id,
                                                         Notification.dedup_key)).all())
            job = db.session.scalars(sa.select(EmployeeImport)).one()
            assert job.state == "finished", job.state
        mails = Counter((m["To"], m["Subject"]) for m in smtp_server.messages
                        if m["To"] in watched)
        posts = Counter(r[0]["X-Portal-Event-Id"] for r in receiver.requests)
        duplicates = sum(n - 1 for counts in (routes, invites, notes, mails, posts)
                         for n in counts.values())
        print(f"\nconcurrent copies: {copied} notification and webhook messages and 5 "
              f"routing/import "
              f"messages run {COPIES + 1} times each; {len(routes)} routings, {len(mails)} "
              f"emails, {len(posts)} webhook events, {len(invites)} invitations; "
              f"duplicated side effects: {duplicates}")
        assert len(routes) == 4 and len(posts) == 8 and len(notes) == 8
        assert {a for a, _ in mails} == watched
        assert duplicates == 0
    finally:
        receiver.server.shutdown()
