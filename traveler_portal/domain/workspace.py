"""The officer's queue workspace: each queue's depth, oldest waiting case and deadline
breaches; a queue's waiting cases sorted and filtered, one keyset page at a time; claiming
a case picked from the list; putting a claimed case on hold until a date.

"Claim next" itself is ``adjudication.claim_next`` (its order is ``CLAIM_ORDER``).
"""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, load_only

from ..extensions import db
from ..i18n import pick
from ..models import AdjudicationQueue, Category, Petition, Port, Status, User
from ..models.users import utcnow
from . import access, adjudication, audit, evidence_return, keyset, uow, versions, workflow
from .errors import Conflict, ValidationFailed

PAGE_SIZE = 25
OPEN = workflow.CLOCK_RUNS  # a breach counts while the agency holds the case
MAX_HOLD_REASON = 2000


@dataclass
class QueueSummary:
    queue: AdjudicationQueue
    depth: int
    oldest: datetime | None
    breaches: int
    on_hold: int


def summaries(user: User, today: date | None = None) -> list[QueueSummary]:
    """The user's country's queues with their depth, oldest waiting case and breaches."""
    today = today or utcnow().date()
    queues = adjudication.country_queues(user)
    is_queued = Petition.status == Status.QUEUED
    rows = db.session.execute(
        sa.select(Petition.queue_id,
                  sa.func.count().filter(is_queued),
                  sa.func.min(Petition.submitted_at).filter(is_queued),
                  sa.func.count().filter(Petition.status.in_(OPEN), Petition.due_date < today),
                  sa.func.count().filter(Petition.status == Status.ON_HOLD))
        # every count reads an open status: the partial index ix_petitions_agency_open
        # holds those rows only, however many decided cases the queue has behind it
        .where(Petition.queue_id.in_([q.id for q in queues]),
               Petition.status.in_((Status.QUEUED, Status.IN_REVIEW, Status.ON_HOLD)))
        .group_by(Petition.queue_id)).all()
    by_queue = {row[0]: row[1:] for row in rows}
    return [QueueSummary(q, *by_queue.get(q.id, (0, None, 0, 0))) for q in queues]


# The columns the queue list shows (and its cursor and access rules read).
LIST_COLUMNS = (Petition.id, Petition.receipt_number, Petition.status, Petition.queue_id,
                Petition.destination_country, Petition.priority, Petition.due_date,
                Petition.travel_date, Petition.submitted_at, Petition.category_id,
                Petition.port_id, Petition.reserved_officer_id, Petition.reserved_until)

# sort key → the list's order (the id breaks ties, oldest first)
SORTS = {"priority": keyset.Order(keyset.Key(Petition.priority, True, int),
                                  keyset.Key(Petition.id)),
         "due": keyset.Order(keyset.Key(Petition.due_date, parse=date.fromisoformat),
                             keyset.Key(Petition.id)),
         "travel": keyset.Order(keyset.Key(Petition.travel_date, parse=date.fromisoformat),
                                keyset.Key(Petition.id))}


@dataclass
class ListFilter:
    sort: str = "priority"
    category: str = ""
    port: str = ""
    breached_only: bool = False
    after: str = ""  # the keyset cursor: "<sort value>|<id>" of the last row shown


def waiting_cases(user: User, code: str, filters: ListFilter,
                  today: date | None = None) -> tuple[AdjudicationQueue, list, str | None]:
    """(queue, one page of its waiting cases, cursor of the next page or None)."""
    today = today or utcnow().date()
    queue = adjudication.get_queue(user, code)
    sort = filters.sort if filters.sort in SORTS else "priority"
    order = SORTS[sort]
    query = (sa.select(Petition).where(Petition.queue_id == queue.id,
                                       Petition.status == Status.QUEUED,
                                       access.visible_filter(user)))
    if filters.category:
        query = query.where(Petition.category.has(Category.code == filters.category))
    if filters.port:
        query = query.where(Petition.port.has(Port.code == filters.port))
    if filters.breached_only:
        query = query.where(Petition.due_date < today)
    column = order.keys[0].column
    # What each row shows, and only that, comes in the same row (joined): never one lazy
    # load per row, nor the columns the list does not show (JSON documents, texts).
    query = query.options(load_only(*LIST_COLUMNS),
                          joinedload(Petition.category).load_only(Category.code),
                          joinedload(Petition.port).load_only(Port.name_en, Port.name_fr),
                          joinedload(Petition.reserved_officer).load_only(User.name))
    rows, last = keyset.fetch(query, order, order.load_or_none(filters.after), PAGE_SIZE,
                              key_of=lambda p: (getattr(p, column.key), p.id), scalars=True)
    return queue, rows, (order.dump(last) if last else None)


def filter_choices(country) -> tuple[list[str], list[tuple[str, str]]]:
    """The queue list's filters: the country's active category codes and its active ports
    (code, name in the reader's language), as plain columns (no objects, no required
    documents)."""
    codes = db.session.scalars(sa.select(Category.code).where(
        Category.country == country, Category.active.is_(True)).order_by(Category.id)).all()
    ports = db.session.execute(sa.select(Port.code, Port.name_en, Port.name_fr).where(
        Port.country == country, Port.active.is_(True)).order_by(Port.name)).all()
    return codes, [(code, pick(en, fr)) for code, en, fr in ports]


@uow.atomic
def claim(user: User, receipt_number: str) -> Petition:
    """Claim one case picked from the list: only if it is still waiting (row locked, so
    two officers picking it at once get it once)."""
    petition = access.get_petition(user, receipt_number, lock=True)
    access.require_agency(user, petition)
    if petition.status != Status.QUEUED:
        raise Conflict(_("%(number)s is no longer waiting in its queue: another officer has "
                         "claimed it, or it has moved on.", number=petition.receipt_number))
    evidence_return.check_claim(user, petition)
    workflow.apply(petition, "claim", user)
    petition.assigned_officer_id, petition.claimed_at = user.id, utcnow()
    evidence_return.release(petition)
    audit.record(user, "case.claim", "petition", petition.receipt_number, petition,
                 queue=petition.queue.code if petition.queue else None, picked=True)
    return petition


@uow.atomic
def hold(user: User, receipt_number: str, until: date | None, reason: str,
         version=None, today: date | None = None) -> Petition:
    """Put a case the user has claimed on hold until ``until`` (a future date): it leaves
    the queue and comes back on that date (``schedules.resume_holds``)."""
    today = today or utcnow().date()
    petition = access.get_petition(user, receipt_number, lock=True)
    access.require_agency(user, petition)
    versions.check(petition, version)
    if petition.status != Status.IN_REVIEW or petition.assigned_officer_id != user.id:
        raise Conflict(_("You have not claimed this petition (or it has already been decided)."))
    reason = (reason or "").strip()
    errors = {}
    if until is None:
        errors["hold_until"] = _("Give the date the case should come back to the queue.")
    elif until <= today:
        errors["hold_until"] = _("The hold must end on a date after today.")
    if not reason:
        errors["hold_reason"] = _("Say why the case is on hold.")
    if errors:
        raise ValidationFailed(_("The hold is not complete."), errors)
    workflow.apply(petition, "hold", user, message=reason[:MAX_HOLD_REASON])
    petition.hold_until, petition.hold_reason = until, reason[:MAX_HOLD_REASON]
    audit.record(user, "case.hold", "petition", petition.receipt_number, petition,
                 hold_until=until, reason=reason[:MAX_HOLD_REASON])
    return petition
