"""Routing (traveler_portal/domain/routing.py): which queue, how urgent, when due, and
that routing twice changes nothing."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from traveler_portal.domain import routing
from traveler_portal.extensions import db
from traveler_portal.models import AdjudicationQueue, Event, Petition, Port, RoutingRule, Status
from traveler_portal.models.users import utcnow

TODAY = date(2031, 6, 4)  # a Wednesday


class Reference:
    """Queues, ports and rules added by one test (reference tables are not emptied between
    tests), removed again at teardown."""

    def __init__(self):
        self.queues, self.ports, self.rules = [], [], []

    def queue(self, code, country="US") -> AdjudicationQueue:
        queue = AdjudicationQueue(code=f"TEST-{code}", name=f"Test {code}", country=country,
                                  sla_business_days=3)
        db.session.add(queue)
        db.session.flush()
        self.queues.append(queue.id)
        return queue

    def port(self, code, country="US") -> Port:
        port = Port(code=f"TEST-{code}", name=f"Test port {code}", country=country)
        db.session.add(port)
        db.session.flush()
        self.ports.append(port.id)
        return port

    def rule(self, name, queue, port=None, category=None, position=100, country="US",
             effective_from=None, effective_to=None) -> RoutingRule:
        rule = RoutingRule(name=f"TEST-{name}", country=country, port_code=port,
                           category_code=category, queue_id=queue.id, position=position,
                           effective_from=effective_from, effective_to=effective_to)
        db.session.add(rule)
        db.session.flush()
        self.rules.append(rule.id)
        db.session.commit()
        return rule


@pytest.fixture
def extra(ctx):
    added = Reference()
    yield added
    db.session.rollback()
    db.session.execute(sa.delete(RoutingRule).where(RoutingRule.id.in_(added.rules)))
    db.session.execute(sa.update(Petition).where(Petition.queue_id.in_(added.queues))
                       .values(queue_id=None))
    db.session.execute(sa.delete(Petition).where(Petition.port_id.in_(added.ports)))
    db.session.execute(sa.delete(AdjudicationQueue).where(AdjudicationQueue.id.in_(added.queues)))
    db.session.execute(sa.delete(Port).where(Port.id.in_(added.ports)))
    db.session.commit()


@pytest.fixture
def traveler(make):
    return make.user("traveler")


def test_a_port_rule_sends_the_petition_to_that_ports_queue(make, traveler):
    for country, category, port, queue in [("US", "TN", "BLAINE", "US-BLAINE"),
                                           ("CA", "BV", "DOUGLAS", "CA-DOUGLAS")]:
        choice = routing.choose_queue(make.draft(traveler, country=country, category=category,
                                                 port=port), TODAY)
        assert choice.queue.code == queue
        assert choice.rule is not None and choice.rule.port_code == port


def test_a_port_and_category_rule_beats_a_port_only_rule(make, traveler, extra):
    specific = extra.queue("BLAINE-TN")
    extra.rule("blaine-tn", specific, port="BLAINE", category="TN", position=999)

    tn = routing.choose_queue(make.draft(traveler, category="TN", port="BLAINE"), TODAY)
    b1 = routing.choose_queue(make.draft(traveler, category="B1", port="BLAINE"), TODAY)
    assert tn.queue.code == "TEST-BLAINE-TN"
    assert b1.queue.code == "US-BLAINE"


def test_between_equally_specific_rules_the_lower_position_wins(make, traveler, extra):
    later, first = extra.queue("LATER"), extra.queue("FIRST")
    extra.rule("later", later, port="BLAINE", category="L1A", position=50)
    extra.rule("first", first, port="BLAINE", category="L1A", position=10)  # added last

    choice = routing.choose_queue(make.draft(traveler, category="L1A", port="BLAINE"), TODAY)
    assert choice.queue.code == "TEST-FIRST"
    assert choice.rule.name == "TEST-first"


def test_a_rule_applies_only_within_its_effective_dates(make, traveler, extra):
    from_june_10 = extra.queue("FROM-JUNE-10")
    until_june_3 = extra.queue("UNTIL-JUNE-3")
    extra.rule("from", from_june_10, port="BLAINE", category="TN",
               effective_from=date(2031, 6, 10))
    extra.rule("until", until_june_3, port="BLAINE", category="B1",
               effective_to=date(2031, 6, 3))
    tn = make.draft(traveler, category="TN", port="BLAINE")
    b1 = make.draft(traveler, category="B1", port="BLAINE")

    assert routing.choose_queue(tn, date(2031, 6, 9)).queue.code == "US-BLAINE"
    assert routing.choose_queue(tn, date(2031, 6, 10)).queue.code == "TEST-FROM-JUNE-10"
    assert routing.choose_queue(b1, date(2031, 6, 3)).queue.code == "TEST-UNTIL-JUNE-3"
    assert routing.choose_queue(b1, date(2031, 6, 4)).queue.code == "US-BLAINE"


def test_no_matching_rule_goes_to_the_countrys_triage_with_a_reason(make, traveler, extra):
    for country, category in [("US", "TN"), ("CA", "BV")]:
        port = extra.port(f"NORULE-{country}", country=country)
        db.session.commit()
        petition = make.draft(traveler, country=country, category=category, port=port.code)
        choice = routing.choose_queue(petition, TODAY)
        assert choice.queue.code == f"{country}-TRIAGE" and choice.queue.is_triage
        assert choice.rule is None
        assert port.code in choice.reason and category in choice.reason


@pytest.mark.parametrize("country,category,port", [("US", "E1E2", "BLAINE"),
                                                   ("CA", "CUSMA_TRADER_INVESTOR", "DOUGLAS")])
def test_a_category_not_decided_at_a_port_goes_to_triage_as_wrong_channel(make, traveler,
                                                                          country, category,
                                                                          port):
    petition = make.draft(traveler, country=country, category=category, port=port)
    choice = routing.choose_queue(petition, TODAY)
    assert choice.queue.code == f"{country}-TRIAGE"
    assert choice.reason.startswith("WRONG_CHANNEL")
    assert category in choice.reason


def test_sooner_travel_gets_a_higher_priority_clamped_to_0_to_100():
    def priority(days):
        return routing.priority_for(TODAY + timedelta(days=days), TODAY)

    assert priority(0) == 100
    assert priority(-5) == 100  # already late: still the top, not above it
    assert priority(1) == 99
    assert priority(100) == 0
    assert priority(365) == 0
    values = [priority(d) for d in range(-3, 120)]
    assert values == sorted(values, reverse=True)
    assert all(0 <= v <= 100 for v in values)


@pytest.mark.parametrize("start,days,expected", [
    (date(2031, 6, 4), 0, date(2031, 6, 4)),    # Wed + 0
    (date(2031, 6, 4), 2, date(2031, 6, 6)),    # Wed + 2 = Fri
    (date(2031, 6, 6), 1, date(2031, 6, 9)),    # Fri + 1 = Mon
    (date(2031, 6, 7), 1, date(2031, 6, 9)),    # Sat + 1 = Mon
    (date(2031, 6, 8), 1, date(2031, 6, 9)),    # Sun + 1 = Mon
    (date(2031, 6, 5), 5, date(2031, 6, 12)),   # Thu + 5 = next Thu
    (date(2031, 6, 4), 10, date(2031, 6, 18)),  # two whole weeks
])
def test_business_days_skip_weekends(start, days, expected):
    assert routing.add_business_days(start, days) == expected


def _events(petition) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event)
                             .where(Event.petition_id == petition.id))


def test_routing_queues_the_petition_once_and_a_second_call_changes_nothing(make, traveler):
    petition = make.submitted(traveler, category="TN", port="BLAINE", days_ahead=10)
    events_before = _events(petition)

    assert routing.route(petition.id) is True
    db.session.expire_all()
    today = utcnow().date()
    assert petition.status == Status.QUEUED
    assert petition.queue.code == "US-BLAINE"
    assert petition.priority == 90
    assert petition.due_date == routing.add_business_days(today, petition.queue.sla_business_days)
    assert petition.routing_reason
    assert _events(petition) == events_before + 1
    snapshot = (petition.status, petition.version, petition.queue_id, petition.priority,
                petition.due_date, petition.routing_reason)

    assert routing.route(petition.id) is False
    db.session.expire_all()
    assert (petition.status, petition.version, petition.queue_id, petition.priority,
            petition.due_date, petition.routing_reason) == snapshot
    assert _events(petition) == events_before + 1


def test_routing_leaves_a_petition_that_is_not_submitted_alone(make, traveler):
    draft = make.draft(traveler)
    assert routing.route(draft.id) is False
    db.session.expire_all()
    assert (draft.status, draft.version, draft.queue_id) == (Status.DRAFT, 1, None)
    assert _events(draft) == 0
    assert routing.route(10**6) is False  # no such petition
