"""Routing: which adjudication queue a submitted petition goes to, how urgent it is, and
when it is due. The rules are data (``routing_rules``); this module only reads them.
"""
import logging
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from .. import tasks
from ..extensions import db
from ..models import AdjudicationQueue, Category, Petition, RoutingRule, Status
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


ROUTING_LOADS = (joinedload(Petition.category, innerjoin=True),
                 joinedload(Petition.port, innerjoin=True))


@uow.atomic
def route(petition_id: int, today: date | None = None) -> bool:
    """Route one submitted petition. Returns False (leaving the petition as it is) if it is not
    waiting for routing any more: running it twice is harmless. Rules are read now, so a
    rule change applies to new routings only; routed petitions keep their queue."""
    # One statement: the petition, locked, with what routing reads of it (its category
    # and port, read, not locked); the notifications are the event's fan-out task's.
    petition = db.session.scalars(sa.select(Petition).options(*ROUTING_LOADS).where(
        Petition.id == petition_id).with_for_update(of=Petition)).first()
    if petition is None or petition.status != Status.SUBMITTED:
        return False
    today = today or utcnow().date()
    with force_locale("en"):  # recorded in English, read in each reader's language
        choice = choose_queue(petition, today)
    petition.queue_id = choice.queue.id
    petition.routing_reason = choice.reason
    petition.priority = priority_for(petition.travel_date, today)
    petition.due_date = add_business_days(today, choice.queue.sla_business_days)
    workflow.apply(petition, "route")
    log.info("routed petition id=%s queue=%s priority=%s", petition_id, choice.queue.code,
             petition.priority)
    return True


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
