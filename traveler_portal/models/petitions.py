"""Petitions, their documents, officers' decisions and the case history."""
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db
from ..i18n import reread
from .enums import REVIEW_STATES, Country, Outcome, Status, check_in, enum_column
from .reference import AdjudicationQueue, Category, Port
from .types import UTCDateTime
from .users import Organization, User, utcnow

# The sentences a routing reason is recorded from (the same text as the _() calls that write
# them in domain/routing.py and domain/casework.py).
ROUTING_REASONS = (
    "Rule %(name)s",
    "WRONG_CHANNEL: %(category)s is decided by %(authority)s, not at a port.",
    "No routing rule matches port %(port)s and category %(category)s.",
    "Referred from %(queue)s by %(officer)s: %(reason)s",
)


AGENCY_OPEN = "status IN ('queued', 'in_review', 'on_hold', 'denial_pending')"
DECIDED = "status IN ('approved', 'denied', 'expired')"
UNDECIDED = "status NOT IN ('approved', 'denied', 'expired', 'withdrawn')"  # workflow.CLOSED


def _partial(name, *columns, where):
    return sa.Index(name, *columns, postgresql_where=sa.text(where),
                    sqlite_where=sa.text(where))


def petition_indexes():
    """The indexes migration 0012 adds (the same definitions there), by the query each
    serves; partial where the query reads a small open part of a table of mostly decided
    cases, so they stay small however many decided cases pile up."""
    return (
        # queue summaries, the supervisor's queue rows, a petition's place in its queue
        _partial("ix_petitions_agency_open", "queue_id", "status", "due_date",
                 where=AGENCY_OPEN),
        # the officer's queue list sorted by due date or by travel date (keyset on id)
        _partial("ix_petitions_queue_due", "queue_id", "due_date", "id",
                 where="status = 'queued'"),
        _partial("ix_petitions_queue_travel", "queue_id", "travel_date", "id",
                 where="status = 'queued'"),
        # the decision estimate: the most recent decided cases of a queue and category
        # (migration 0020: with the id, the sample's exact order, ties included)
        _partial("ix_petitions_decided_sample", "queue_id", "category_id", "decided_at",
                 "id", where=DECIDED),
        # an officer's cases and the supervisor's workload per officer
        _partial("ix_petitions_assigned", "assigned_officer_id", "status",
                 where="assigned_officer_id IS NOT NULL"),
        # the employer's dashboard (default sort: travel date) and the API lists (newest
        # first, keyset on id) of an organization and of a traveler
        sa.Index("ix_petitions_org_travel", "organization_id", "travel_date", "id"),
        sa.Index("ix_petitions_org_newest", "organization_id", "id"),
        sa.Index("ix_petitions_traveler_newest", "traveler_id", "id"),
        # migration 0019: the dashboard's sort by receipt number, and its panels of one
        # status (requests for evidence, drafts) soonest travel first
        sa.Index("ix_petitions_org_receipt", "organization_id", "receipt_number", "id"),
        sa.Index("ix_petitions_org_status_travel", "organization_id", "status",
                 "travel_date", "id"),
        # migration 0020: the dashboard's upcoming travel without a decision, soonest
        # first, without reading past the decided petitions travelling in the window
        _partial("ix_petitions_org_undecided_travel", "organization_id", "travel_date", "id",
                 where=UNDECIDED),
    )


class Petition(db.Model):
    __tablename__ = "petitions"
    __table_args__ = (
        sa.Index("ix_petitions_country_status", "destination_country", "status"),
        # Migration 0012: one index per hot query, each matching its filter and sort.
        *petition_indexes(),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    status: Mapped[Status] = mapped_column(enum_column(Status, "petition_status"),
                                           default=Status.DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    destination_country: Mapped[Country] = mapped_column(
        enum_column(Country, "petition_country"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    port_id: Mapped[int] = mapped_column(sa.ForeignKey("ports.id"))
    travel_date: Mapped[date] = mapped_column(sa.Date)
    job_title: Mapped[str] = mapped_column(sa.String(200))
    employer_name: Mapped[str] = mapped_column(sa.String(200))
    # Filled in the guided filing steps (all optional for API v1 clients).
    requested_start: Mapped[date | None] = mapped_column(sa.Date)
    requested_end: Mapped[date | None] = mapped_column(sa.Date)
    occupation: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    duties: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    worksite: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    salary: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    salary_currency: Mapped[str] = mapped_column(sa.String(3), default="", server_default="")
    # Per-category answers (e.g. qualifying employment abroad, offer-of-employment number),
    # keyed by the field names the category's reference data declares.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")
    attested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Officers' workspace: a hold keeps the case out of the queue until its date.
    hold_until: Mapped[date | None] = mapped_column(sa.Date)
    hold_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Checklist items the officer ticked (keys from the category's checklist).
    checklist: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")
    # Looked up by ix_petitions_traveler_newest and ix_petitions_org_newest (each the
    # column, then id); an index of the column alone was one more for every claim to
    # update (migration 0021).
    traveler_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    organization_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organizations.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    queue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("queues.id"))
    # Recorded in English (domain/routing.py, casework.refer); ``routing_reason`` reads it
    # in the reader's language when it is one of ROUTING_REASONS.
    routing_reason_recorded: Mapped[str | None] = mapped_column("routing_reason", sa.Text)
    routing_reason = hybrid_property(
        lambda self: reread(self.routing_reason_recorded, ROUTING_REASONS),
        lambda self, value: setattr(self, "routing_reason_recorded", value),
        expr=lambda cls: cls.routing_reason_recorded)
    priority: Mapped[int] = mapped_column(default=0)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    assigned_officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An answered request for evidence goes back to the officer who asked: the case waits
    # in its queue kept for them until ``reserved_until`` (EVIDENCE_RETURN_HOURS), then
    # anyone may claim it (domain/evidence_return.py). Cleared when the case is claimed.
    reserved_officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reserved_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by SQLAlchemy on every UPDATE of the row (any edit, step or transition): the
    # draft-retention sweep (domain/retention.py) measures abandonment from it.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[Category] = relationship()
    port: Mapped[Port] = relationship()
    traveler: Mapped[User] = relationship(foreign_keys=[traveler_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    assigned_officer: Mapped[User | None] = relationship(foreign_keys=[assigned_officer_id])
    reserved_officer: Mapped[User | None] = relationship(foreign_keys=[reserved_officer_id])
    organization: Mapped[Organization | None] = relationship()
    queue: Mapped[AdjudicationQueue | None] = relationship()
    documents: Mapped[list["Document"]] = relationship(
        back_populates="petition", order_by="Document.uploaded_at")
    decisions: Mapped[list["Decision"]] = relationship(order_by="Decision.id")
    events: Mapped[list["Event"]] = relationship(order_by="Event.id")
    # How many queued petitions are ahead of this one in its queue, when the query that
    # loaded it asked (``status.WITH_POSITION``): the status page and the API's petition
    # read it with the petition instead of in a statement of their own.
    queue_ahead: Mapped[int | None] = query_expression()

    @property
    def final_decision(self):
        """The decision the traveler sees: a denial awaiting (or returned by) a supervisor
        is not one."""
        finals = [d for d in self.decisions if d.outcome != Outcome.EVIDENCE_REQUESTED
                  and d.review_state not in ("pending", "returned")]
        return finals[-1] if finals else None

    @property
    def pending_denial(self):
        """The denial waiting for a supervisor's second approval (agency only)."""
        pending = [d for d in self.decisions if d.review_state == "pending"]
        return pending[-1] if pending else None

    def reservation_over(self, now: datetime | None = None) -> bool:
        """No officer keeps this case any more (or never did)."""
        return self.reserved_until is None or self.reserved_until <= (now or utcnow())

    @property
    def evidence_request(self):
        asks = [d for d in self.decisions if d.outcome == Outcome.EVIDENCE_REQUESTED]
        return asks[-1] if asks else None


# claim-next: exactly adjudication.CLAIM_ORDER, so the next case is the index's first
# entry for the queue instead of a sort of every waiting case (migration 0012).
_partial("ix_petitions_claim_order", Petition.queue_id, Petition.priority.desc(),
         Petition.due_date, Petition.submitted_at, Petition.id, where="status = 'queued'")
# the officer's queue list in its default sort (priority descending, then id)
_partial("ix_petitions_queue_priority", Petition.queue_id, Petition.priority.desc(),
         Petition.id, where="status = 'queued'")


class Document(db.Model):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    petition_id: Mapped[int] = mapped_column(sa.ForeignKey("petitions.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    petition: Mapped[Petition] = relationship(back_populates="documents")


class Decision(db.Model):
    """One officer action that ends a review: approval, denial or request for evidence."""
    __tablename__ = "decisions"
    # The supervisor's decisions per day read only the last 30 days; the employer's
    # approvals expiring soon read the approvals ending soon (migration 0012), in their
    # order: end date, then petition (migration 0020).
    __table_args__ = (check_in("review_state", REVIEW_STATES),
                      sa.Index("ix_decisions_decided_at", "decided_at"),
                      sa.Index("ix_decisions_approved_valid_until", "valid_until", "petition_id",
                               postgresql_where=sa.text("outcome = 'approved'"),
                               sqlite_where=sa.text("outcome = 'approved'")))
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(sa.ForeignKey("petitions.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "decision_outcome"))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    reason_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_until: Mapped[date | None] = mapped_column(sa.Date)
    respond_by: Mapped[date | None] = mapped_column(sa.Date)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the deadline passed without an answer and the case went back to the officer.
    no_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Conditions of an approval: {"employer": ..., "occupation": ..., "location": ...}.
    conditions: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")
    # Four eyes: a denial waits for a supervisor ("pending"), who approves or returns it.
    review_state: Mapped[str | None] = mapped_column(sa.String(16))
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    items: Mapped[list["EvidenceItem"]] = relationship(order_by="EvidenceItem.position",
                                                       back_populates="decision")

    @property
    def evidence_items(self) -> list[str]:
        """What a request for evidence asks for, one requirement per item (API v1's list
        of strings): read from the items, the only place they are stored."""
        return [item.requirement for item in self.items]


class EvidenceItem(db.Model):
    """One thing a request for evidence asks for: the unmet requirement, why the evidence
    on file falls short, and (once answered) the document and note that answer it."""
    __tablename__ = "evidence_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    requirement: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    document_kind: Mapped[str | None] = mapped_column(sa.String(64))
    response_document_id: Mapped[str | None] = mapped_column(sa.ForeignKey("documents.id"))
    response_note: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decision: Mapped[Decision] = relationship(back_populates="items")
    response_document: Mapped["Document | None"] = relationship()


class Event(db.Model):
    """One line of a case's history. ``public`` events form the traveler's timeline;
    the others (internal notes, releases) are for the agency only."""
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(sa.ForeignKey("petitions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[Status | None] = mapped_column(enum_column(Status, "event_from"))
    to_status: Mapped[Status | None] = mapped_column(enum_column(Status, "event_to"))
    public: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")

    actor: Mapped[User | None] = relationship()
