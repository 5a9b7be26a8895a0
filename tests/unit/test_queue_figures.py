"""The officer's overview of the queues reads what the beat task counted
(``queue_figures``): one row per queue, not every waiting case per view; a queue not
counted yet, or counted on an earlier day, is counted live."""
from datetime import timedelta

from tests.unit.test_status import queued
from traveler_portal.domain import adjudication, queue_figures, workspace
from traveler_portal.extensions import db
from traveler_portal.models.users import utcnow


def _overview(officer, today):
    return {s.queue.code: (s.depth, s.oldest, s.breaches, s.on_hold)
            for s in workspace.summaries(officer, today)}


def test_the_overview_reads_the_counted_figures_until_the_next_count(make):
    traveler, officer = make.user("traveler"), make.user("officer", country="US")
    cases = [queued(traveler, days_ahead=days) for days in (30, 10, 50)]
    code = db.session.get(type(cases[0]), cases[0].id).queue.code
    today = utcnow().date()
    live = _overview(officer, today)  # nothing counted yet: counted live
    assert live[code][0] == 3

    assert queue_figures.recompute(today) >= 1
    db.session.commit()
    assert _overview(officer, today) == live  # the same figures, read from one row each

    adjudication.claim_next(officer, code)
    db.session.commit()
    assert _overview(officer, today)[code][0] == 3  # as counted, until the next count
    queue_figures.recompute(today)
    db.session.commit()
    assert _overview(officer, today)[code][0] == 2


def test_figures_counted_on_an_earlier_day_are_counted_again_live(make):
    traveler, officer = make.user("traveler"), make.user("officer", country="US")
    case = queued(traveler, days_ahead=30)
    code = case.queue.code
    today = utcnow().date()
    queue_figures.recompute(today - timedelta(days=1))
    db.session.commit()
    adjudication.claim_next(officer, code)
    db.session.commit()
    assert _overview(officer, today)[code][0] == 0  # yesterday's count is not used
