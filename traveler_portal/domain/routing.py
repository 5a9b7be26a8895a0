"""Routing: which adjudication queue a submitted petition goes to, how urgent it is, and
when it is due. The rules are data (``routing_rules``); this module only reads them.
"""
import logging
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from .. import tasks
from ..extensions import db
from ..models import (
    AdjudicationQueue,
    Category,
    Petition,
    Port,
    RoutingRule,
    Status,
    routing_version,
)
from ..models.users import utcnow
from . import outbox, uow, workflow

log = logging.getLogger(__name__)
ROUTE_TASK = tasks.ROUTE.name


def route_queue(country) -> str:
    """The broker queue a petition bound for ``country`` is routed from: one per country
    (celery_app.ROUTING_QUEUES), each consumed by that agency's own routing workers."""
    return f"routing.{getattr(country, 'value', country)}"
# Travel this many days away or more gets the lowest priority; sooner trips climb to 100.
PRIORITY_HORIZON_DAYS = 100


@dataclass(frozen=True)
class RoutingChoice:
    queue: AdjudicationQueue
    reason: str
    rule: RoutingRule | None


def _specificity(rule: RoutingRule) -> int:
    return (2 if rule.port_code else 0) + (1 if rule.category_code else 0)


def matching_rules(country, port_code: str, category_code: str, on: date,
                   authority: str = "port") -> list[RoutingRule]:
    """Rules that match, most specific first, then by their stated position. A rule without
    an authority takes only petitions decided at a port (the category's channel)."""
    wanted = (sa.or_(RoutingRule.authority.is_(None), RoutingRule.authority == "port")
              if authority == "port" else RoutingRule.authority == authority)
    rules = db.session.scalars(sa.select(RoutingRule).options(
        joinedload(RoutingRule.queue)).where(  # the chosen rule's queue, in one statement
        RoutingRule.country == country, wanted,
        sa.or_(RoutingRule.port_code.is_(None), RoutingRule.port_code == port_code),
        sa.or_(RoutingRule.category_code.is_(None), RoutingRule.category_code == category_code),
        sa.or_(RoutingRule.effective_from.is_(None), RoutingRule.effective_from <= on),
        sa.or_(RoutingRule.effective_to.is_(None), RoutingRule.effective_to >= on),
    )).all()
    return sorted(rules, key=lambda r: (-_specificity(r), r.position, r.id))


def triage_queue(country) -> AdjudicationQueue:
    queue = db.session.scalars(sa.select(AdjudicationQueue).where(
        AdjudicationQueue.country == country, AdjudicationQueue.is_triage.is_(True))
        .order_by(AdjudicationQueue.id)).first()
    if queue is None:
        raise LookupError(f"No triage queue for {country}: run load-reference-data")
    return queue


def choose(country, category: Category, port_code: str, on: date) -> RoutingChoice:
    """The queue for plain values (the petition's, or a dry-run's sample) and why."""
    rules = matching_rules(country, port_code, category.code, on, category.channel or "port")
    if rules:
        rule = rules[0]
        return RoutingChoice(rule.queue, _("Rule %(name)s", name=rule.name), rule)
    if category.channel != "port":
        return RoutingChoice(triage_queue(country),
                             _("WRONG_CHANNEL: %(category)s is decided by %(authority)s, not "
                               "at a port.", category=category.code,
                               authority=category.decided_by or category.channel), None)
    return RoutingChoice(triage_queue(country),
                         _("No routing rule matches port %(port)s and category %(category)s.",
                           port=port_code, category=category.code), None)


def choose_queue(petition: Petition, on: date) -> RoutingChoice:
    return choose(petition.destination_country, petition.category, petition.port.code, on)


def priority_for(travel_date: date, today: date) -> int:
    days_left = (travel_date - today).days
    return max(0, min(PRIORITY_HORIZON_DAYS, PRIORITY_HORIZON_DAYS - days_left))


def add_business_days(start: date, days: int) -> date:
    current, added = start, 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


@dataclass(frozen=True)
class QueueFacts:
    """What routing reads of a queue (kept in memory: ``_rules``)."""
    id: int
    code: str
    sla_business_days: int


@dataclass(frozen=True)
class RuleTerms:
    """When a routing rule applies: its country, port, category, authority, dates and
    position. Routing's cache (``RuleFacts``) and the admin's dry run
    (``routing_admin.Candidate``) both match on these, here and only here."""
    id: int | None
    country: str
    port_code: str | None
    category_code: str | None
    authority: str | None
    position: int
    effective_from: date | None
    effective_to: date | None

    def applies(self, on: date) -> bool:
        return (self.effective_from is None or self.effective_from <= on) and \
            (self.effective_to is None or self.effective_to >= on)

    def matches(self, port_code: str, category_code: str, on: date,
                authority: str | None) -> bool:
        """``matching_rules``'s conditions, on the rule in memory (no authority: "port")."""
        return ((self.authority or "port") == (authority or "port")
                and self.port_code in (None, port_code)
                and self.category_code in (None, category_code)
                and self.applies(on))


@dataclass(frozen=True)
class RuleFacts(RuleTerms):
    """A routing rule as routing reads it (kept in memory: ``_rules``), with its queue and
    the reason it gives, in English."""
    queue: QueueFacts
    reason: str


@dataclass(frozen=True)
class _Rules:
    key: tuple  # (database, routing_version's number when read)
    rules: tuple  # every rule, most specific first, then by position (as matching_rules)
    triage: dict  # country → its triage queue


# Per process: the rules and queues as of the routing version read with them. A routing
# reads the current number in its first statement and the rules again only when it moved:
# every change to routing_rules or queues raises it, by trigger (migration 0022), in the
# transaction that makes the change, so the first routing after an admin's edit commits
# reads the edited rules, and none after it reads the old ones.
_cached: dict = {"rules": None}
VERSION = sa.select(routing_version.c.version).where(routing_version.c.id == 1)


def _rules(version) -> _Rules:
    key = (str(db.engine.url), version)
    held = _cached["rules"]
    if held is not None and held.key == key:
        return held
    rows = db.session.execute(sa.select(
        RoutingRule.id, RoutingRule.name, RoutingRule.country, RoutingRule.port_code,
        RoutingRule.category_code, RoutingRule.authority, RoutingRule.position,
        RoutingRule.effective_from, RoutingRule.effective_to, AdjudicationQueue.id,
        AdjudicationQueue.code, AdjudicationQueue.sla_business_days,
        VERSION.scalar_subquery()).join(AdjudicationQueue,
                                        AdjudicationQueue.id == RoutingRule.queue_id)).all()
    queues = db.session.execute(sa.select(
        AdjudicationQueue.id, AdjudicationQueue.code, AdjudicationQueue.sla_business_days,
        AdjudicationQueue.country, VERSION.scalar_subquery()).where(
        AdjudicationQueue.is_triage.is_(True)).order_by(AdjudicationQueue.id.desc())).all()
    with force_locale("en"):  # recorded in English, read in each reader's language
        rules = [RuleFacts(r[0], str(r[2]), r[3], r[4], r[5], r[6], r[7], r[8],
                           QueueFacts(r[9], r[10], r[11]), _("Rule %(name)s", name=r[1]))
                 for r in rows]
    rules.sort(key=lambda r: (-((2 if r.port_code else 0) + (1 if r.category_code else 0)),
                              r.position, r.id))
    # The number read with each statement: a change committed between the two readings
    # keeps the pair from being held under either number (the next routing reads again).
    read_at = {r[-1] for r in rows} | {q[-1] for q in queues}
    held = _Rules(key, tuple(rules), {str(q[3]): QueueFacts(q[0], q[1], q[2])
                                      for q in queues})  # the lowest id last: kept
    if read_at <= {version}:
        _cached["rules"] = held
    return held


def choose_held(held: _Rules, country: str, category_code: str, channel: str | None,
                 decided_by: str, port_code: str, on: date) -> tuple[QueueFacts, str]:
    """``choose`` on the rules in memory: (queue, reason in English)."""
    authority = channel or "port"
    for rule in held.rules:
        if rule.country == country and rule.matches(port_code, category_code, on, authority):
            return rule.queue, rule.reason
    triage = held.triage.get(country)
    if triage is None:
        raise LookupError(f"No triage queue for {country}: run load-reference-data")
    with force_locale("en"):
        if authority != "port":
            return triage, _("WRONG_CHANNEL: %(category)s is decided by %(authority)s, not "
                             "at a port.", category=category_code,
                             authority=decided_by or channel)
        return triage, _("No routing rule matches port %(port)s and category %(category)s.",
                         port=port_code, category=category_code)


# What routing reads of a petition, with the routing version, in one plain statement.
# Built once (issue 16: a statement built per call cost more than it took to run).
_FACTS = sa.select(Petition.status, Petition.destination_country, Petition.travel_date,
                   Category.code, Category.channel, Category.decided_by_en, Port.code,
                   VERSION.scalar_subquery()).join(
    Category, Category.id == Petition.category_id).join(
    Port, Port.id == Petition.port_id).where(Petition.id == sa.bindparam("petition_id"))


@uow.atomic
def route(petition_id: int, today: date | None = None) -> bool:
    """Route one submitted petition. Returns False (leaving the petition as it is) if it is not
    waiting for routing any more: running it twice is harmless. Rules are read now, so a
    rule change applies to new routings only; routed petitions keep their queue.

    Two statements (issue 16): the petition's facts with the routing version (a plain
    read, no lock: the write below checks the status itself), then the status change, its
    event, the event's fan-out row and the task's own outbox row closed
    (``workflow.apply_in_sql``: one statement on PostgreSQL). The rules come from memory
    while the routing version has not moved (``_rules``)."""
    facts = db.session.execute(_FACTS, {"petition_id": petition_id}).first()
    if facts is None or facts[0] != Status.SUBMITTED:
        return False  # the task's boundary closes its row, as for any task
    _status, country, travel_date, category_code, channel, decided_by, port_code, version = facts
    today = today or utcnow().date()
    queue, reason = choose_held(_rules(version), str(country), category_code, channel,
                                 decided_by, port_code, today)
    priority = priority_for(travel_date, today)
    moved = workflow.apply_in_sql(petition_id, "route", {
        "queue_id": queue.id, "routing_reason": reason, "priority": priority,
        "due_date": add_business_days(today, queue.sla_business_days)}, utcnow(),
        wait_for_disk=current_app.config["ROUTING_WAITS_FOR_DISK"])
    if moved:
        log.info("routed petition id=%s queue=%s priority=%s", petition_id, queue.code,
                 priority)
    return moved


def request_routing(petition: Petition) -> None:
    """Queue routing for ``petition`` in the caller's transaction (outbox)."""
    outbox.enqueue(ROUTE_TASK, [petition.id], route_queue(petition.destination_country))


def redrive_stuck(older_than_seconds: int) -> int:
    """Re-publish routing for petitions submitted long ago and still not routed (their
    message may have died with a worker). Publishes directly: a broker outage here just
    means the next sweep tries again."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    rows = db.session.execute(sa.select(Petition.id, Petition.destination_country).where(
        Petition.status == Status.SUBMITTED, Petition.submitted_at <= cutoff)
        .order_by(Petition.id).limit(500)).all()
    db.session.rollback()  # end the read before talking to the broker (SQLite's lock)
    for petition_id, country in rows:
        outbox.publish_task(ROUTE_TASK, [petition_id], route_queue(country))
    return len(rows)
