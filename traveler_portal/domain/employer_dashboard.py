"""The employer's dashboard: every petition of the organization with its status, who it is
waiting on, travel date, decision and validity end; filtered, sorted, one keyset page at a
time (no OFFSET: the cursor is the last row's sort value and id), or every row of the
filtered view for the CSV export; and the panels (action items, upcoming travel without a
decision, approvals expiring within 30/60/90 days) shared with the weekly digest.

Statuses are those employers are shown (``workflow.public_status``): the agency's internal
states count, filter and sort as "in_review". The validity end is the latest approval's
``Decision.valid_until``. Read-only: nothing here commits.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401 - sa.orm.aliased
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Category, Decision, Outcome, Petition, Status, User
from . import access, keyset, workflow
from . import status as status_rules

PAGE_SIZE = 25
EXPORT_BATCH = 500
FAR_FUTURE = date(9999, 12, 31)  # a missing validity end sorts after every real one
DECIDED = workflow.CLOSED  # the dashboard's decision column: finished one way or another
EXPIRY_WINDOWS = (30, 60, 90)
UPCOMING_DAYS = 30

_internal = tuple(workflow.PUBLIC_STATUS)
PUBLIC_STATUS = sa.case((Petition.status.in_(_internal), Status.IN_REVIEW.value),
                        else_=sa.cast(Petition.status, sa.String(32)))
VALID_UNTIL = (sa.select(sa.func.max(Decision.valid_until))
               .where(Decision.petition_id == Petition.id,
                      Decision.outcome == Outcome.APPROVED)
               .correlate(Petition).scalar_subquery())
# sort key → (SQL expression, parse a cursor value back)
SORTS = {"travel": (Petition.travel_date, date.fromisoformat),
         "status": (PUBLIC_STATUS, str),
         "receipt": (Petition.receipt_number, str),
         "validity": (sa.func.coalesce(VALID_UNTIL, FAR_FUTURE), date.fromisoformat)}
STATUS_CHOICES = workflow.PUBLIC_STATUSES


@dataclass
class Filters:
    country: str = ""
    category: str = ""
    status: str = ""
    traveler: str = ""  # part of the traveler's email or name
    travel_from: date | None = None
    travel_to: date | None = None
    sort: str = "travel"
    descending: bool = False
    after: str = ""  # the keyset cursor: "<sort value>|<id>" of the last row shown


@dataclass
class Row:
    petition: Petition
    status: Status  # as employers are shown it
    waiting_on: str | None
    decision: str | None  # approved / denied / expired / withdrawn, or None
    valid_until: date | None
    sort_value: object = field(repr=False, default=None)


def _filtered(user: User, filters: Filters):
    query = sa.select(Petition, VALID_UNTIL, SORTS[_sort(filters)][0]).where(
        access.visible_filter(user))
    return apply_filters(query, filters)


def apply_filters(query, filters: Filters):
    """``query`` (a select of petitions) narrowed by the filters; shared with the JSON
    API's list of petitions, which keeps its own visibility, order and cursor."""
    if filters.country:
        query = query.where(Petition.destination_country == filters.country)
    if filters.category:
        query = query.where(Petition.category.has(Category.code == filters.category))
    if filters.status:
        query = query.where(filters.status == PUBLIC_STATUS)
    if filters.traveler.strip():
        needle = filters.traveler.strip()  # % and _ are letters here, not wildcards
        query = query.where(Petition.traveler.has(sa.or_(
            User.email.icontains(needle, autoescape=True),
            User.name.icontains(needle, autoescape=True))))
    if filters.travel_from:
        query = query.where(Petition.travel_date >= filters.travel_from)
    if filters.travel_to:
        query = query.where(Petition.travel_date <= filters.travel_to)
    return query


def _sort(filters: Filters) -> str:
    return filters.sort if filters.sort in SORTS else "travel"


def _order(filters: Filters) -> keyset.Order:
    """The view's order: its sort value, then the id, both the same way."""
    column, parse = SORTS[_sort(filters)]
    return keyset.Order(keyset.Key(column, filters.descending, parse),
                        keyset.Key(Petition.id, filters.descending))


def _page_query(user: User, filters: Filters):
    return _filtered(user, filters).options(
        selectinload(Petition.category), selectinload(Petition.traveler),
        selectinload(Petition.decisions))


def _sort_value(value):
    return value.value if isinstance(value, Status) else value


def _rows(results) -> list[Row]:
    rows = []
    for petition, valid_until, sort_value in results:
        shown = workflow.public_status(petition.status)
        rows.append(Row(petition, shown, status_rules.waiting_on(petition),
                        shown.value if shown in DECIDED else None, valid_until,
                        _sort_value(sort_value)))
    return rows


def page(user: User, filters: Filters, size: int = PAGE_SIZE) -> tuple[list[Row], str | None]:
    """One page of the filtered view and the cursor of the next page (None at the end)."""
    order = _order(filters)
    results, last = keyset.fetch(_page_query(user, filters), order,
                                 order.load_or_none(filters.after), size,
                                 key_of=lambda result: (_sort_value(result[2]), result[0].id))
    return _rows(results), (order.dump(last) if last else None)


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class _Code:
    code: str


@dataclass(frozen=True, slots=True)
class ExportedPetition:
    """What a CSV line reads of a petition, read as plain columns: the export builds no
    ORM objects, so its memory stays flat and its time per row small (issue 16)."""
    id: int
    receipt_number: str
    status: Status
    destination_country: object
    travel_date: date
    traveler: _Person
    category: _Code


def _export_query(user: User, filters: Filters):
    column, _parse = SORTS[_sort(filters)]
    query = (sa.select(Petition.id, Petition.receipt_number, Petition.status,
                       Petition.destination_country, Petition.travel_date, User.name,
                       User.email, Category.code, VALID_UNTIL, column)
             .join(User, User.id == Petition.traveler_id)
             .join(Category, Category.id == Petition.category_id)
             .where(access.visible_filter(user)))
    return apply_filters(query, filters)


def every_row(user: User, filters: Filters, batch: int = EXPORT_BATCH):
    """Every row of the filtered view, in its order (for the CSV export): keyset batches
    of plain columns, so a large organization is never loaded at once."""
    order, query, after = _order(filters), _export_query(user, filters), None
    while True:
        results, after = keyset.fetch(query, order, after, batch,
                                      key_of=lambda r: (_sort_value(r[-1]), r[0]))
        rows = []
        for (pid, receipt, status, country, travel, name, email, code, valid_until,
             sort_value) in results:
            petition = ExportedPetition(pid, receipt, status, country, travel,
                                        _Person(name, email), _Code(code))
            shown = workflow.public_status(status)
            rows.append(Row(petition, shown, status_rules.waiting_on(petition),
                            shown.value if shown in DECIDED else None, valid_until,
                            _sort_value(sort_value)))
        yield from rows
        if after is None:
            return


# --- Panels ---------------------------------------------------------------------------

PANEL_LIMIT = 20  # rows shown per panel; the heading gives the total


@dataclass
class Panels:
    """Each list holds at most PANEL_LIMIT rows (the soonest first); ``totals`` counts
    them all ("evidence_requests", "drafts", "upcoming", and each expiry window), so a
    large organization's dashboard reads a few rows, not thousands."""
    evidence_requests: list  # [Petition] waiting on the traveler's answer
    drafts: list  # [Petition] drafts waiting on the employee
    upcoming: list  # [Petition] travel in the next 30 days, no decision yet
    expiring: dict  # {30: [(Petition, valid_until)], 60: [...], 90: [...]}
    totals: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.evidence_requests or self.drafts or self.upcoming
                    or any(self.expiring.values()))


def _latest_approval_ending(visible, lower: date, upper: date):
    """(petition, validity end) of the approved petitions whose latest approval ends after
    ``lower`` and on or before ``upper``, soonest first. Read from the approvals ending in
    that window in their order (ix_decisions_approved_valid_until), each kept only if no
    later approval of its petition exists: a page reads the rows it shows, not every
    approved petition of the organization (issue 16)."""
    later = sa.orm.aliased(Decision)
    return (sa.select(Petition, Decision.valid_until)
            .join(Decision, Decision.petition_id == Petition.id)
            .where(visible, Petition.status == Status.APPROVED,
                   Decision.outcome == Outcome.APPROVED,
                   Decision.valid_until > lower, Decision.valid_until <= upper,
                   ~sa.exists().where(
                       later.petition_id == Decision.petition_id,
                       later.outcome == Outcome.APPROVED,
                       sa.or_(later.valid_until > Decision.valid_until,
                              sa.and_(later.valid_until == Decision.valid_until,
                                      later.id > Decision.id))))
            # the petition's id as the decision holds it: the index's exact order
            # (ix_decisions_approved_valid_until), so the first rows end the scan
            .order_by(Decision.valid_until, Decision.petition_id))


def panels(user: User, today: date, limit: int = PANEL_LIMIT, totals: bool = True) -> Panels:
    """The panels; ``totals`` (the digest's counts of every row, not only those listed)
    are left out by the dashboard, which shows the rows: counting them all reads every
    matching petition, however large the organization."""
    visible = access.visible_filter(user)
    options = (selectinload(Petition.traveler), selectinload(Petition.category),
               selectinload(Petition.decisions))
    upcoming_where = (Petition.travel_date >= today,
                      Petition.travel_date <= today + timedelta(days=UPCOMING_DAYS),
                      Petition.status.not_in(DECIDED))

    def petitions(*where, order=(Petition.travel_date, Petition.id)):
        return db.session.scalars(sa.select(Petition).where(visible, *where)
                                  .order_by(*order).limit(limit).options(*options)).all()

    evidence = petitions(Petition.status == Status.EVIDENCE_REQUESTED)
    drafts = petitions(Petition.status == Status.DRAFT)
    upcoming = petitions(*upcoming_where)
    expiring = {}
    lower = today - timedelta(days=1)
    for days in EXPIRY_WINDOWS:  # the soonest of each window
        upper = today + timedelta(days=days)
        expiring[days] = [tuple(row) for row in db.session.execute(
            _latest_approval_ending(visible, lower, upper).limit(limit)
            .options(*options)).all()]
        lower = upper
    return Panels(evidence, drafts, upcoming, expiring,
                  _totals(visible, today, upcoming_where) if totals else {})


def _totals(visible, today: date, upcoming_where) -> dict:
    """Every row each panel stands for, counted (the digest's headings): two statements,
    the three lists, then the expiry windows (cumulative)."""
    def count(*where):
        return sa.select(sa.func.count()).select_from(Petition).where(*where).scalar_subquery()

    totals_row = db.session.execute(sa.select(
        count(visible, Petition.status == Status.EVIDENCE_REQUESTED),
        count(visible, Petition.status == Status.DRAFT),
        count(visible, *upcoming_where))).one()
    ending = _latest_approval_ending(
        visible, today - timedelta(days=1), today + timedelta(days=EXPIRY_WINDOWS[-1])
    ).order_by(None).with_only_columns(Decision.valid_until.label("valid_until")).subquery()
    cumulative = db.session.execute(sa.select(*[
        sa.func.count().filter(ending.c.valid_until <= today + timedelta(days=d))
        for d in EXPIRY_WINDOWS])).one()
    totals = {"evidence_requests": totals_row[0], "drafts": totals_row[1],
              "upcoming": totals_row[2]}
    previous = 0
    for days, within in zip(EXPIRY_WINDOWS, cumulative, strict=True):
        totals[days], previous = within - previous, within
    return totals
