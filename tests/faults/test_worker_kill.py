"""A worker SIGKILLed while it routes: every petition is routed once, and the last one
within 60 s of the kill (the messages the dead worker held come back through the outbox
re-drive and Redis's visibility timeout, whichever comes first: the workers consume the
periodic queue, where beat sends the outbox sweep, as production's do). The stack runs
production's recovery delays divided by tests/faults/stack.SCALE, and the bound alike;
that production's own delays keep the minute is tests/unit/test_recovery_promises.py's."""
import os
import signal

import pytest
import sqlalchemy as sa

from tests import factories
from tests.faults.stack import now, scaled
from tests.live import wait_for
from traveler_portal.extensions import db
from traveler_portal.models import Event, Petition, Status

pytestmark = pytest.mark.faults
RECOVERY_BOUND = scaled(60)
QUEUES = "routing,periodic"  # and each country's routing queue (Stack.worker adds them)


def counts(app):
    with app.app_context():
        queued = db.session.scalar(sa.select(sa.func.count()).select_from(Petition)
                                   .where(Petition.status == Status.QUEUED))
        routes = db.session.execute(sa.select(Event.petition_id, sa.func.count())
                                    .where(Event.action == "route")
                                    .group_by(Event.petition_id)).all()
        db.session.rollback()
        return queued, routes


def test_a_killed_worker_delays_routing_by_less_than_a_minute_and_doubles_nothing(
        fault_app, fault_redis, stack):
    total = 40
    worker = stack.ready(stack.worker(queues=QUEUES, concurrency=2, wait=False),
                         stack.beat(wait=False))
    # The worker first stops dead (SIGSTOP) with the petitions published: it has popped
    # messages it will never finish, exactly as a worker killed mid-routing.
    worker_pid = worker.popen.pid
    os.killpg(worker_pid, signal.SIGSTOP)
    with fault_app.app_context():
        traveler = factories.user("traveler")
        for i in range(total):
            factories.submitted(traveler, days_ahead=20 + i)
    os.killpg(worker_pid, signal.SIGCONT)
    wait_for(lambda: counts(fault_app)[0] >= 1, 30, "routing to start")
    stack.kill(worker)
    killed_at = now()
    queued_at_kill = counts(fault_app)[0]
    held = fault_redis.client().hlen("unacked")
    stack.worker(queues=QUEUES, concurrency=2)  # the supervisor starts a new one
    try:
        wait_for(lambda: counts(fault_app)[0] == total, 90, "every petition routed")
    except AssertionError as timeout:
        broker = fault_redis.client()  # kombu's lock on looking for lost messages too
        raise AssertionError(f"{timeout}: {counts(fault_app)[0]}/{total} routed; "
                             f"{broker.hlen('unacked')} message(s) unacknowledged; "
                             f"unacked_mutex expires in {broker.ttl('unacked_mutex')} s\n"
                             f"{stack.tails()}") from None
    recovery = now() - killed_at
    print(f"\nworker SIGKILL: {queued_at_kill}/{total} routed at the kill, {held} message(s) "
          f"held by the dead worker in Redis; all routed {recovery:.1f} s after the kill "
          f"(bound {RECOVERY_BOUND:.0f} s)")
    assert queued_at_kill < total, "the kill came after all the routing: nothing tested"
    assert recovery < RECOVERY_BOUND
    _, routes = counts(fault_app)
    assert len(routes) == total and all(n == 1 for _, n in routes)
