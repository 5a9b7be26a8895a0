"""Officers' work: queues, atomic claims, releases, notes and decisions."""
import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import (
    AdjudicationQueue,
    Decision,
    Outcome,
    Petition,
    ReasonCode,
    Status,
    User,
)
from ..models.types import UTCDateTime
from ..models.users import utcnow
from . import access, audit, evidence, evidence_return, notices, uow, versions, workflow
from .errors import Conflict, Forbidden, ValidationFailed
from .rows import one_or_not_found

# What an officer's list of cases shows of each, loaded in a few queries, not one per row.
CASE_LIST_OPTIONS = (sa.orm.selectinload(Petition.category), sa.orm.selectinload(Petition.port),
                     sa.orm.selectinload(Petition.traveler),
                     sa.orm.selectinload(Petition.queue),
                     sa.orm.selectinload(Petition.decisions))

MAX_EVIDENCE_DAYS = 84  # USCIS allows up to 84 days to answer a request for evidence
# "Claim next": most urgent first, then the earliest due date, then the oldest.
def claim_order(p=Petition) -> tuple:
    """The order cases are claimed in, on ``p`` (Petition or an alias of it)."""
    return p.priority.desc(), p.due_date.asc().nulls_last(), p.submitted_at, p.id


CLAIM_ORDER = claim_order()


@dataclass
class DecisionInput:
    outcome: str
    message: str = ""
    reason_codes: list = field(default_factory=list)
    valid_until: date | None = None
    # strings (API v1), {"requirement", "reason", "kind"} objects or evidence.Ask
    evidence_items: list = field(default_factory=list)
    respond_by: date | None = None
    # An approval's conditions: {"employer", "occupation", "location"}.
    conditions: dict = field(default_factory=dict)
    version: int | None = None  # the petition's version the officer saw (optimistic check)


def _require_agency(user: User):
    if not user.is_agency or not user.country:
        raise Forbidden(_("Only officers and supervisors work adjudication queues."))


def country_queues(user: User) -> list[AdjudicationQueue]:
    """The user's country's queues, triage first, without counting their cases (a count
    of every waiting case is the cost of a page that only lists the queues)."""
    _require_agency(user)
    return db.session.scalars(
        sa.select(AdjudicationQueue).where(AdjudicationQueue.country == user.country)
        .order_by(AdjudicationQueue.is_triage.desc(), AdjudicationQueue.name)).all()


def queues_with_depth(user: User) -> list[tuple[AdjudicationQueue, int]]:
    _require_agency(user)
    depth = (sa.select(Petition.queue_id, sa.func.count().label("n"))
             .where(Petition.status == Status.QUEUED).group_by(Petition.queue_id).subquery())
    rows = db.session.execute(
        sa.select(AdjudicationQueue, sa.func.coalesce(depth.c.n, 0))
        .outerjoin(depth, depth.c.queue_id == AdjudicationQueue.id)
        .where(AdjudicationQueue.country == user.country)
        .order_by(AdjudicationQueue.is_triage.desc(), AdjudicationQueue.name)).all()
    return [(q, n) for q, n in rows]


def get_queue(user: User, code: str) -> AdjudicationQueue:
    _require_agency(user)
    return one_or_not_found(sa.select(AdjudicationQueue).where(
        AdjudicationQueue.code == code, AdjudicationQueue.country == user.country),
        _("No such queue."))


@functools.cache
def _claim_statement() -> workflow.Taking:
    """Claim-next's statements, built once with bind parameters for the queue, the
    officer's country and id, and the time (building and keying the expression cost more
    than running it)."""
    country = sa.bindparam("country", type_=Petition.destination_country.type)
    officer_id = sa.bindparam("officer_id", type_=sa.Integer)
    now = sa.bindparam("now", type_=UTCDateTime)
    queue_id = sa.select(AdjudicationQueue.id).where(
        AdjudicationQueue.code == sa.bindparam("queue_code"),
        AdjudicationQueue.country == country).scalar_subquery()
    # Priority, then the earliest due date, then age: the first entry of the partial
    # index ix_petitions_claim_order (queued rows only), whatever the queue's size.
    chosen = (sa.select(Petition.id)
              .where(Petition.queue_id == queue_id, Petition.status == Status.QUEUED,
                     # not an answered case kept for the officer who asked
                     evidence_return.claimable_by(officer_id, now),
                     # never another country's: access.visible_filter for agency staff
                     # (a queued case is never a draft)
                     Petition.destination_country == country)
              .order_by(*CLAIM_ORDER).limit(1)
              # FOR NO KEY UPDATE, as the UPDATE itself takes: claimers still exclude
              # each other, but a row merely referenced by another transaction (the
              # fan-out inserting a notification for it: a KEY SHARE lock) is not
              # skipped as if taken
              .with_for_update(skip_locked=True, key_share=True).scalar_subquery())
    return workflow.take_first_statement(
        chosen, "claim", records=[_claim_entry], assigned_officer_id=officer_id,
        claimed_at=now, updated_at=now,
        # a claim, by anyone, ends an evidence return's reservation
        reserved_officer_id=None, reserved_until=None)


def _claim_entry(taken):
    return audit.insert_from(taken, "case.claim", "petition", taken.c.receipt_number)


@uow.atomic
def claim_next(user: User, queue_code: str) -> Petition | None:
    """Give ``user`` the queue's next petition: highest priority, then earliest due date,
    then oldest (``CLAIM_ORDER``).

    One statement finds and takes it: ``UPDATE … WHERE id = (SELECT … LIMIT 1 FOR UPDATE
    SKIP LOCKED) AND status = 'queued' RETURNING …``. PostgreSQL: concurrent claimers pass
    over each other's locked row instead of both taking it, and the outer ``status`` test
    refuses a row another claimer took meanwhile; the event, its fan-out's outbox row and
    the audit entry are written by the same statement (a ``WITH``). SQLite: every
    transaction begins IMMEDIATE (see ``database.py``), so claimers run one after
    another; the event, the outbox row and the audit entry follow, one statement each
    (the notifications themselves are the fan-out task's: public_events).
    """
    _require_agency(user)
    now = utcnow()
    petition = workflow.run_take_first(_claim_statement(), {
        "queue_code": queue_code, "country": user.country, "officer_id": user.id, "now": now,
        **audit.bound(user, now, queue=queue_code)}, actor=user, at=now)
    if petition is None:
        get_queue(user, queue_code)  # an unknown queue is a 404, an empty one is None
    return petition


def _claimed_by(user: User, receipt_number: str) -> Petition:
    petition = access.get_petition(user, receipt_number, lock=True)
    access.require_agency(user, petition)
    if petition.status != Status.IN_REVIEW or petition.assigned_officer_id != user.id:
        raise Conflict(_("You have not claimed this petition (or it has already been decided)."))
    return petition


@uow.atomic
def release(user: User, receipt_number: str, version=None) -> Petition:
    petition = _claimed_by(user, receipt_number)
    versions.check(petition, version)
    workflow.apply(petition, "release", user)
    petition.assigned_officer_id = None
    petition.claimed_at = None
    audit.record(user, "case.release", "petition", petition.receipt_number, petition)
    return petition


@uow.atomic
def add_note(user: User, receipt_number: str, text: str) -> None:
    petition = access.get_petition(user, receipt_number, lock=True)
    access.require_agency(user, petition)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("The note is empty."), {"note": _("Write the note.")})
    event = workflow.add_note(petition, user, text[:5000])
    db.session.flush()
    audit.record(user, "case.note", "petition", petition.receipt_number, petition,
                 event_id=event.id)


def validate_decision(petition: Petition, data: DecisionInput, today: date) -> dict:
    """Field errors for a decision, by outcome; empty when it may be recorded."""
    errors = {}
    if data.outcome not in {o.value for o in Outcome}:
        return {"outcome": _("Choose approve, deny or request evidence.")}
    if data.outcome == Outcome.APPROVED:
        max_days = petition.category.max_validity_days
        if data.valid_until is None:
            errors["valid_until"] = _("Give the date the approval is valid until.")
        elif data.valid_until <= today:
            errors["valid_until"] = _("The validity must end after today.")
        elif max_days and data.valid_until > today + timedelta(days=max_days):
            errors["valid_until"] = _(
                "%(category)s approvals may run at most %(days)d days (until %(until)s).",
                category=petition.category.code, days=max_days,
                until=today + timedelta(days=max_days))
    elif data.outcome == Outcome.DENIED:
        known = set(db.session.scalars(sa.select(ReasonCode.code)
                                       .where(ReasonCode.active.is_(True))))
        if not data.reason_codes:
            errors["reason_codes"] = _("Choose at least one reason code.")
        elif unknown := [c for c in data.reason_codes if c not in known]:
            errors["reason_codes"] = _("Unknown reason code: %(codes)s.",
                                       codes=", ".join(unknown))
        if not data.message.strip():
            errors["message"] = _("Explain the denial to the traveler.")
    else:
        errors.update(evidence.ask_errors(petition, evidence.asks_from(data.evidence_items)))
        if data.respond_by is None:
            errors["respond_by"] = _("Give the date to respond by.")
        elif data.respond_by <= today:
            errors["respond_by"] = _("The response date must be after today.")
        elif data.respond_by > today + timedelta(days=MAX_EVIDENCE_DAYS):
            errors["respond_by"] = _("Allow at most %(days)d days to respond.",
                                     days=MAX_EVIDENCE_DAYS)
    return errors


ACTIONS = {Outcome.APPROVED: "approve", Outcome.DENIED: "deny",
           Outcome.EVIDENCE_REQUESTED: "request_evidence"}


@uow.atomic
def decide(user: User, receipt_number: str, data: DecisionInput) -> Petition:
    petition = access.get_petition(user, receipt_number, lock=True)
    access.require_agency(user, petition)
    versions.check(petition, data.version)
    petition = _claimed_by(user, receipt_number)
    now = utcnow()
    errors = validate_decision(petition, data, now.date())
    if errors:
        raise ValidationFailed(_("The decision is not complete."), errors)
    outcome = Outcome(data.outcome)
    decision = Decision(petition_id=petition.id, outcome=outcome, officer_id=user.id,
                        decided_at=now, message=data.message.strip())
    if outcome == Outcome.APPROVED:
        decision.valid_from, decision.valid_until = now.date(), data.valid_until
        decision.conditions = {k: str(v).strip()[:300] for k, v in
                               (data.conditions or {}).items() if str(v or "").strip()}
    elif outcome == Outcome.DENIED:
        decision.reason_codes = list(dict.fromkeys(data.reason_codes))
        decision.review_state = "pending"  # four eyes: a supervisor confirms or returns it
    else:
        evidence.add_items(decision, evidence.asks_from(data.evidence_items))
        decision.respond_by = data.respond_by
    db.session.add(decision)
    notices.issue(decision, petition)  # the PDF notice, stored with the decision
    workflow.apply(petition, ACTIONS[outcome], user, message=decision.message)
    petition.assigned_officer_id = None if outcome == Outcome.EVIDENCE_REQUESTED else user.id
    if outcome == Outcome.APPROVED:  # a denial is decided when a supervisor confirms it
        petition.decided_at = now
    audit.record(user, "decision." + outcome.value, "petition", petition.receipt_number,
                 petition, reason_codes=decision.reason_codes,
                 valid_until=decision.valid_until, conditions=decision.conditions)
    return petition


def my_cases(user: User) -> list[Petition]:
    _require_agency(user)
    return db.session.scalars(sa.select(Petition).where(
        Petition.assigned_officer_id == user.id, Petition.status == Status.IN_REVIEW)
        .options(*CASE_LIST_OPTIONS).order_by(Petition.claimed_at)).all()
