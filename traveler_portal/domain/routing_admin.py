"""Routing rules and queues managed by an administrator, with the warnings shown before a
change is saved (overlapping rules; a category left to triage) and a dry run.

Rules are read when a petition is routed (``routing.route``), so a change applies to new
routings only: a routed petition keeps its queue. Nothing is deleted: a rule is retired by
ending its effective dates. Every change goes to the audit trail.
"""
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import AdjudicationQueue, Category, Port, Role, RoutingRule, User
from ..models.users import utcnow
from . import audit, reference, routing, uow
from .errors import NotFound, ValidationFailed
from .routing import RuleTerms

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,63}$")
MAX_SLA_DAYS = 60


@dataclass
class RuleInput:
    name: str
    country: str
    queue_code: str
    category_code: str = ""
    port_code: str = ""
    authority: str = ""
    position: int = 100
    effective_from: date | None = None
    effective_to: date | None = None


@dataclass
class QueueInput:
    code: str
    name: str
    country: str
    sla_business_days: int = 5
    officer_ids: list = field(default_factory=list)
    name_fr: str = ""  # empty: French readers see the English name


@dataclass(frozen=True)
class Candidate(RuleTerms):
    """A rule as it would stand after a change (saved rules and the edited one alike)."""
    name: str


def _candidate(rule: RoutingRule) -> Candidate:
    return Candidate(id=rule.id, name=rule.name, country=str(rule.country),
                     port_code=rule.port_code, category_code=rule.category_code,
                     authority=rule.authority, position=rule.position,
                     effective_from=rule.effective_from, effective_to=rule.effective_to)


def _from_input(data: RuleInput, rule_id=None) -> Candidate:
    return Candidate(id=rule_id, name=data.name, country=data.country,
                     port_code=data.port_code or None, category_code=data.category_code or None,
                     authority=data.authority or None, position=data.position,
                     effective_from=data.effective_from, effective_to=data.effective_to)


def authorities() -> list[str]:
    """"port" and every other channel a category is decided through (consulate, IRCC)."""
    channels = db.session.scalars(sa.select(Category.channel).distinct()).all()
    return ["port", *sorted({c for c in channels if c and c != "port"})]


def rule_errors(data: RuleInput, rule_id=None) -> dict:
    errors = {}
    if not data.name:
        errors["name"] = _("Give the rule a name.")
    elif db.session.scalar(sa.select(RoutingRule.id).where(
            RoutingRule.name == data.name, RoutingRule.id != (rule_id or 0))):
        errors["name"] = _("Another rule already has this name.")
    queue = db.session.scalars(sa.select(AdjudicationQueue).where(
        AdjudicationQueue.code == data.queue_code)).first()
    if queue is None or str(queue.country) != data.country:
        errors["queue_code"] = _("Choose a queue of the rule's country.")
    if data.category_code and not db.session.scalar(sa.select(Category.id).where(
            Category.country == data.country, Category.code == data.category_code)):
        errors["category_code"] = _("Choose a category of the rule's country, or any.")
    if data.port_code and not db.session.scalar(sa.select(Port.id).where(
            Port.country == data.country, Port.code == data.port_code)):
        errors["port_code"] = _("Choose a port of the rule's country, or any.")
    if data.authority and data.authority not in authorities():
        errors["authority"] = _("Choose an authority from the list, or any.")
    if data.effective_from and data.effective_to and data.effective_to < data.effective_from:
        errors["effective_to"] = _("The end date must not be before the start date.")
    return errors


def _dates_overlap(a: Candidate, b: Candidate) -> bool:
    return (a.effective_to is None or b.effective_from is None
            or b.effective_from <= a.effective_to) and \
        (b.effective_to is None or a.effective_from is None
         or a.effective_from <= b.effective_to)


def _gaps(rules: list[Candidate], country: str, on: date) -> set[tuple[str, str]]:
    """(category, port) pairs of the country that no rule takes on ``on`` (→ triage)."""
    categories = db.session.scalars(sa.select(Category).where(
        Category.country == country, Category.active.is_(True))).all()
    ports = db.session.scalars(sa.select(Port.code).where(
        Port.country == country, Port.active.is_(True))).all()
    return {(c.code, p) for c in categories for p in ports
            if not any(r.matches(p, c.code, on, c.channel) for r in rules)}


def warnings(proposed: Candidate | None, replaces: int | None, country: str,
             today: date | None = None) -> list[str]:
    """What an admin should know before saving: rules the change overlaps (same
    specificity and match, overlapping dates), and categories it leaves to triage."""
    today = today or utcnow().date()
    saved = [_candidate(r) for r in db.session.scalars(
        sa.select(RoutingRule).where(RoutingRule.country == country))]
    after = [r for r in saved if r.id != replaces] + ([proposed] if proposed else [])
    found = []
    if proposed is not None:
        for other in saved:
            if other.id != replaces and (other.port_code, other.category_code,
                                         other.authority or "port") == \
                    (proposed.port_code, proposed.category_code, proposed.authority or "port") \
                    and _dates_overlap(proposed, other):
                found.append(_("Overlaps rule %(name)s: same country, port, category and "
                               "authority with overlapping dates; the lower position "
                               "(%(position)d) wins.", name=other.name,
                               position=min(other.position, proposed.position)))
    days = {today} | {d for d in (proposed.effective_from if proposed else None,
                                  proposed.effective_to + timedelta(days=1)
                                  if proposed and proposed.effective_to else None)
                      if d and d > today}
    for on in sorted(days):
        new_gaps = _gaps(after, country, on) - _gaps(saved, country, on)
        for category in sorted({c for c, _p in new_gaps}):
            ports = sorted(p for c, p in new_gaps if c == category)
            found.append(_("From %(date)s no rule takes category %(category)s at %(ports)s: "
                           "those petitions would go to triage.", date=on.isoformat(),
                           category=category, ports=", ".join(ports)))
    return found


@uow.atomic
def save_rule(actor: User, data: RuleInput, rule_id: int | None = None,
              confirmed: bool = False, today: date | None = None):
    """(rule, []) when saved; (None, warnings) when there are warnings not yet confirmed."""
    errors = rule_errors(data, rule_id)
    if errors:
        raise ValidationFailed(_("The rule is not complete."), errors)
    rule = get_rule(rule_id) if rule_id else None
    found = warnings(_from_input(data, rule_id), rule_id, data.country, today)
    if found and not confirmed:
        return None, found
    before = _snapshot(rule) if rule else None
    queue_id = db.session.scalar(sa.select(AdjudicationQueue.id).where(
        AdjudicationQueue.code == data.queue_code))
    if rule is None:
        rule = RoutingRule(country=data.country)
        db.session.add(rule)
    elif str(rule.country) != data.country:
        raise ValidationFailed(_("A rule keeps its country."), {
            "country": _("A rule keeps its country: retire it instead.")})
    rule.name, rule.queue_id, rule.position = data.name, queue_id, data.position
    rule.category_code, rule.port_code = data.category_code or None, data.port_code or None
    rule.authority = data.authority or None
    rule.effective_from, rule.effective_to = data.effective_from, data.effective_to
    db.session.flush()
    audit.record(actor, "rule.update" if before else "rule.create", "routing_rule", rule.id,
                 before=before, after=_snapshot(rule), warnings=found)
    return rule, []


@uow.atomic
def retire_rule(actor: User, rule_id: int, confirmed: bool = False,
                today: date | None = None):
    """End a rule yesterday, so no new routing uses it; (rule, []) or (None, warnings)."""
    today = today or utcnow().date()
    rule = get_rule(rule_id)
    found = warnings(None, rule.id, str(rule.country), today)
    if found and not confirmed:
        return None, found
    before, yesterday = _snapshot(rule), today - timedelta(days=1)
    rule.effective_to = yesterday
    if rule.effective_from and rule.effective_from > yesterday:
        rule.effective_from = yesterday  # it never applied; keep its dates consistent
    audit.record(actor, "rule.retire", "routing_rule", rule.id, before=before,
                 after=_snapshot(rule), warnings=found)
    return rule, []


def get_rule(rule_id) -> RoutingRule:
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(_("No such routing rule."))
    return rule


def _snapshot(rule: RoutingRule) -> dict:
    return {"name": rule.name, "country": str(rule.country), "queue_id": rule.queue_id,
            "category": rule.category_code, "port": rule.port_code,
            "authority": rule.authority, "position": rule.position,
            "effective_from": rule.effective_from, "effective_to": rule.effective_to}


def officer_choices(country: str) -> list[User]:
    if country not in reference.COUNTRIES:  # unchecked form input: no such officers
        return []
    return db.session.scalars(sa.select(User).where(
        User.role == Role.OFFICER, User.country == country,
        User.is_active_account.is_(True)).order_by(User.name, User.email)).all()


@uow.atomic
def save_queue(actor: User, data: QueueInput, queue_id: int | None = None):
    queue = db.session.get(AdjudicationQueue, queue_id) if queue_id else None
    if queue_id and queue is None:
        raise NotFound(_("No such queue."))
    country = str(queue.country) if queue else data.country
    errors = {}
    code = (data.code or "").upper()
    if queue is None and not CODE.match(code):
        errors["code"] = _("Use 2–64 capital letters, digits, - or _.")
    elif queue is None and db.session.scalar(sa.select(AdjudicationQueue.id).where(
            AdjudicationQueue.code == code)):
        errors["code"] = _("Another queue already has this code.")
    if not data.name:
        errors["name"] = _("Give the queue a name.")
    if not 1 <= (data.sla_business_days or 0) <= MAX_SLA_DAYS:
        errors["sla_business_days"] = _("Give a target of 1 to %(days)d business days.",
                                         days=MAX_SLA_DAYS)
    allowed = {u.id: u for u in officer_choices(country)}
    if any(int(i) not in allowed for i in data.officer_ids):
        errors["officer_ids"] = _("Choose officers of the queue's country.")
    if errors:
        raise ValidationFailed(_("The queue is not complete."), errors)
    before = {u.email for u in queue.officers} if queue else set()
    if queue is None:
        queue = AdjudicationQueue(code=code, country=country, is_triage=False)
        db.session.add(queue)
    # name_en/name_fr: ``name`` reads in the reader's language, so write each explicitly.
    queue.name_en, queue.name_fr = data.name, (data.name_fr or "").strip()
    queue.sla_business_days = data.sla_business_days
    queue.officers = [allowed[int(i)] for i in data.officer_ids]
    db.session.flush()
    after = {u.email for u in queue.officers}
    audit.record(actor, "queue.update" if queue_id else "queue.create", "queue", queue.code,
                 name=queue.name_en, name_fr=queue.name_fr,
                 sla_business_days=queue.sla_business_days,
                 officers_added=sorted(after - before), officers_removed=sorted(before - after))
    return queue


@dataclass
class DryRun:
    choice: routing.RoutingChoice
    matches: list  # every matching rule, in the order routing considers them


def dry_run(country: str, category_code: str, port_code: str, on: date) -> DryRun:
    """Which queue a sample petition would go to on ``on``, and why (nothing is saved)."""
    category = db.session.scalars(sa.select(Category).where(
        Category.country == country, Category.code == category_code)).first()
    errors = {}
    if category is None:
        errors["category_code"] = _("Choose a category of that country.")
    if not db.session.scalar(sa.select(Port.id).where(Port.country == country,
                                                      Port.code == port_code)):
        errors["port_code"] = _("Choose a port of that country.")
    if errors:
        raise ValidationFailed(_("The sample petition is not complete."), errors)
    return DryRun(routing.choose(country, category, port_code, on),
                  routing.matching_rules(country, port_code, category.code, on,
                                         category.channel or "port"))
