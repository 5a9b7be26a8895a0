"""The petition state machine: the only code that changes a petition's status.

Callers load the petition with a row lock (see ``access.lock_petition``), call
:func:`apply`, and commit through ``uow.commit``. Every transition appends an event to the
case history; public events make up the traveler's timeline, and their notifications,
people updates and webhooks follow from a task of their own (public_events).
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import i18n
from ..extensions import db
from ..models import Event, OutboxMessage, Petition, Status
from ..models.users import utcnow
from . import arrival_words, outbox, public_events
from .errors import Conflict

S = Status
APPLICANT, EMPLOYER, AGENCY = "applicant", "employer", "agency"


@dataclass(frozen=True)
class StatusFacts:
    """Everything the portal says about one status, in one row: every other set of
    statuses (open, decided, uploadable, waiting on whom, the badge) is derived from here."""
    label: object          # the plain words, as travelers ask for them (lazy string)
    waits_on: str | None   # who must act next: the applicant, the employer, the agency
    decided: bool          # a decision was made and made public
    closed: bool           # nothing more will happen: decided or withdrawn
    with_agency: bool      # in an adjudication queue (routed, not yet decided)
    clock_runs: bool       # the queue's service deadline counts (breaches, escalation)
    uploads: bool          # documents may be added
    tone: str              # the badge's colour: muted, info, warn, ok, bad
    shown_as: Status | None = None  # what travelers and employers see instead


STATUSES = {
    S.DRAFT: StatusFacts(_l("Draft, not yet submitted"), APPLICANT, False, False, False,
                         False, True, "muted"),
    S.SUBMITTED: StatusFacts(_l("Received"), AGENCY, False, False, False, False, False,
                             "info"),
    S.QUEUED: StatusFacts(_l("Waiting for an officer"), AGENCY, False, False, True, True,
                          False, "info"),
    S.IN_REVIEW: StatusFacts(_l("Being reviewed by an officer"), AGENCY, False, False, True,
                             True, False, "info"),
    S.EVIDENCE_REQUESTED: StatusFacts(_l("More evidence needed from you"), APPLICANT, False,
                                      False, False, False, True, "warn"),
    # Internal states: a hold and a denial awaiting its second pair of eyes are both
    # "in review" to the traveler (so the petition can still be withdrawn).
    S.ON_HOLD: StatusFacts(_l("On hold"), AGENCY, False, False, True, False, False, "info",
                           shown_as=S.IN_REVIEW),
    S.DENIAL_PENDING: StatusFacts(_l("Denial awaiting a supervisor"), AGENCY, False, False,
                                  True, False, False, "warn", shown_as=S.IN_REVIEW),
    S.APPROVED: StatusFacts(_l("Approved"), None, True, True, False, False, False, "ok"),
    S.DENIED: StatusFacts(_l("Denied"), None, True, True, False, False, False, "bad"),
    S.EXPIRED: StatusFacts(_l("Approval expired"), None, True, True, False, False, False,
                           "muted"),
    S.WITHDRAWN: StatusFacts(_l("Withdrawn"), None, False, True, False, False, False, "muted"),
}


def _where(flag: str) -> frozenset:
    return frozenset(s for s, facts in STATUSES.items() if getattr(facts, flag))


STATUS_LABELS = {s: facts.label for s, facts in STATUSES.items()}
PUBLIC_STATUS = {s: facts.shown_as for s, facts in STATUSES.items() if facts.shown_as}
WAITING_ON = {s: facts.waits_on for s, facts in STATUSES.items() if facts.waits_on}
DECIDED = _where("decided")
CLOSED = _where("closed")
OPEN = frozenset(STATUSES) - CLOSED          # before a decision: may still be withdrawn
WITH_AGENCY = _where("with_agency")
CLOCK_RUNS = _where("clock_runs")
UPLOADABLE = _where("uploads")
PUBLIC_STATUSES = [s for s in Status if s not in PUBLIC_STATUS]  # in the enum's order


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: Status
    public: bool
    title: object  # a lazy string: translated when shown, not when stored


TRANSITIONS = {
    "submit": Transition(frozenset({S.DRAFT}), S.SUBMITTED, True, _l("Case was received")),
    "route": Transition(frozenset({S.SUBMITTED}), S.QUEUED, True,
                        _l("Case is waiting for an officer")),
    "claim": Transition(frozenset({S.QUEUED}), S.IN_REVIEW, True,
                        _l("Case is being actively reviewed")),
    "release": Transition(frozenset({S.IN_REVIEW}), S.QUEUED, False,
                          _l("Case was returned to the queue")),
    "approve": Transition(frozenset({S.IN_REVIEW}), S.APPROVED, True, _l("Case was approved")),
    # Four eyes: a denial waits, unseen by the traveler, for a supervisor's approval.
    "deny": Transition(frozenset({S.IN_REVIEW}), S.DENIAL_PENDING, False,
                       _l("Denial sent to a supervisor for review")),
    "confirm_denial": Transition(frozenset({S.DENIAL_PENDING}), S.DENIED, True,
                                 _l("Case was denied")),
    "return_denial": Transition(frozenset({S.DENIAL_PENDING}), S.IN_REVIEW, False,
                                _l("Denial returned to the officer by a supervisor")),
    "refer": Transition(frozenset({S.IN_REVIEW}), S.QUEUED, False,
                        _l("Case was referred to another queue")),
    "request_evidence": Transition(frozenset({S.IN_REVIEW}), S.EVIDENCE_REQUESTED, True,
                                   _l("Request for evidence was sent")),
    "evidence_received": Transition(frozenset({S.EVIDENCE_REQUESTED}), S.QUEUED, True,
                                    _l("Response to request for evidence was received")),
    # The deadline of a request for evidence passed unanswered: back to the officer who
    # asked (domain/evidence.py sweep_deadlines), who may then deny for no response.
    "evidence_deadline_passed": Transition(
        frozenset({S.EVIDENCE_REQUESTED}), S.IN_REVIEW, True,
        _l("No response to the request for evidence was received by the deadline")),
    "withdraw": Transition(OPEN, S.WITHDRAWN, True, _l("Case was withdrawn")),
    # Officers' workspace: a hold takes the case out of the queue until its date, when the
    # scheduled sweep puts it back (domain/schedules.py); an approval past its validity.
    "hold": Transition(frozenset({S.IN_REVIEW}), S.ON_HOLD, False, _l("Case was put on hold")),
    "resume": Transition(frozenset({S.ON_HOLD}), S.QUEUED, False,
                         _l("Case came back to the queue after its hold")),
    "expire": Transition(frozenset({S.APPROVED}), S.EXPIRED, True, _l("Approval has expired")),
}

NOTE_TITLE = _l("Internal note")

def public_status(status: Status) -> Status:
    return PUBLIC_STATUS.get(status, status)


def badge_tone(status: Status) -> str:
    return STATUSES[status].tone


def can(petition, action: str) -> bool:
    return petition.status in TRANSITIONS[action].sources


def apply(petition, action: str, actor=None, message: str = "") -> Event:
    """Move ``petition`` along ``action``; refuse (409) from any unexpected status."""
    transition = TRANSITIONS[action]
    if petition.status not in transition.sources:
        # In the caller's words: the status as they read it (agency staff see internal
        # states, everyone else the public one), not its code.
        seen = (petition.status if getattr(actor, "is_agency", False)
                else public_status(petition.status))
        raise Conflict(_("This petition's status is now \u201c%(status)s\u201d, so this "
                         "action is no longer possible. Reload to see what changed.",
                         status=STATUS_LABELS[seen]))
    from_status = petition.status
    petition.status = transition.target
    petition.version += 1
    return applied(petition, action, from_status, actor, message)


class Taking:
    """``take_first_statement``'s statements, built once (a hot path: building and keying
    an expression cost more than running it) and run by ``run_take_first``."""

    def __init__(self, candidate, action: str, records, values: dict):
        transition = TRANSITIONS[action]
        (self.source,) = transition.sources  # one source: the event's from_status
        self.action, self.records, self._written = action, tuple(records), {}
        self.update = (sa.update(Petition)
                       .where(Petition.id == candidate, Petition.status == self.source)
                       .values(status=transition.target, version=Petition.version + 1,
                               **values))
        # Elsewhere than PostgreSQL: the UPDATE, then the event and each record apart.
        self.returning = self.update.returning(Petition).execution_options(
            synchronize_session=False, populate_existing=True)
        taken = (sa.select(Petition.__table__)
                 .where(Petition.id == sa.bindparam("w_petition", type_=sa.Integer))
                 .subquery("taken"))
        self.recorded = [record(taken) for record in self.records]

    def written(self, fan_out: tuple):
        """PostgreSQL: the UPDATE, its event, a public event's fan-out row (its columns:
        ``fan_out``) and each record in one ``WITH``; it answers (petition, event id,
        fan-out row id), no row when nothing was taken."""
        if fan_out not in self._written:
            moved = self.update.returning(*Petition.__table__.c).cte("moved")
            event, row = _event_and_fan_out(
                moved, self.action, sa.bindparam("w_actor", type_=sa.Integer), fan_out)
            query = sa.select(sa.orm.aliased(Petition, moved),
                              sa.select(event.c.id).scalar_subquery(),
                              sa.select(row.c.id).scalar_subquery() if row is not None
                              else sa.null())
            for n, record in enumerate(self.records):
                query = query.add_cte(record(moved).cte(f"record_{n}"))
            self._written[fan_out] = query.execution_options(populate_existing=True)
        return self._written[fan_out]


def take_first_statement(candidate, action: str, records=(), **values) -> Taking:
    """``action`` on one petition chosen in SQL, built once with bind parameters for what
    varies per call and run with ``run_take_first(taking, params, actor, at)``: ``UPDATE
    … WHERE id = (candidate) AND status = <the action's source> … RETURNING``
    (``candidate``: a scalar subquery of one id, e.g. ``… LIMIT 1 FOR UPDATE SKIP
    LOCKED``), with the other columns in ``values``. The event, a public event's fan-out
    row and ``records`` (each a function of the taken petition's rows, a CTE or a
    subquery, to an ``INSERT … SELECT``: the audit entry, ``audit.insert_from``) are
    written with it: in the same statement on PostgreSQL, one each elsewhere."""
    return Taking(candidate, action, records, values)


def run_take_first(taking: Taking, params: dict, actor=None, at=None) -> Petition | None:
    """Run ``taking`` with ``params`` (the candidate's, the values' and the records'):
    the petition taken (None when none qualifies), its event recorded by ``actor`` at
    ``at``. The fan-out row is published after the commit, as ``announce``'s is."""
    at = at or utcnow()
    if db.engine.dialect.name != "postgresql":
        petition = db.session.scalars(taking.returning, params).first()
        if petition is not None:
            applied(petition, taking.action, taking.source, actor, at=at)
            for record in taking.recorded:
                db.session.execute(record, {**params, "w_petition": petition.id})
        return petition
    language = i18n.current_language()
    fan_out = outbox.row_values(public_events.FAN_OUT_TASK, public_events.QUEUE, at) \
        if TRANSITIONS[taking.action].public else {}
    row = db.session.execute(taking.written(tuple(fan_out)), {
        **params, "w_at": at, "w_actor": actor.id if actor else None, "w_language": language,
        **{f"w_o_{k}": v for k, v in fan_out.items()}}).first()
    if row is None:
        return None
    petition, event_id, message_id = row
    if message_id is not None:
        outbox.pending(outbox.Committed(message_id, public_events.FAN_OUT_TASK,
                                        [event_id, language], public_events.QUEUE))
    return petition


def applied(petition, action: str, from_status: Status, actor=None, message: str = "",
            at=None) -> Event:
    """The event of a transition already written in SQL (``take_first``: the status
    check is its ``WHERE``); a public one's fan-out (emails, people updates, webhooks)
    is queued with it and written by its own task (public_events)."""
    transition = TRANSITIONS[action]
    event = Event(petition_id=petition.id, at=at or utcnow(),
                  actor_id=actor.id if actor else None, action=action,
                  from_status=from_status, to_status=transition.target,
                  public=transition.public, message=message or "")
    db.session.add(event)
    if transition.public:
        public_events.announce(event)
    return event


def apply_in_sql(petition_id: int, action: str, values: dict, at,
                 wait_for_disk: bool = True) -> bool:
    """``action`` on one petition by id, for a hot path that needs nothing of the ORM rows
    (routing, a worker's task): the status change (the status check is its ``WHERE``),
    its event and a public event's fan-out row are written together with the closing of
    the task's own outbox row (``outbox.take_confirmation``): in one statement on
    PostgreSQL (``WITH`` … ``UPDATE``/``INSERT``), one each elsewhere. False when the
    petition was not in the action's source status: nothing is written but the
    confirmation. The fan-out row is published after the commit, as ``announce``'s is.

    ``wait_for_disk=False`` (PostgreSQL): the transaction's commit does not wait for its
    WAL to reach the disk (``synchronous_commit = off`` for this transaction only, set in
    the same statement). Only for a change the outbox re-drives when lost: a crash of the
    database's machine within a fraction of a second after the commit loses the whole of
    it (atomically: the change, its event, its fan-out row and the task's row left open),
    and the re-drive does it again; any later commit that builds on it (its fan-out, a
    claim) waits for the disk and so makes it durable first."""
    transition = TRANSITIONS[action]
    (source,) = transition.sources  # one source: the event's from_status
    language = i18n.current_language()
    confirm = outbox.take_confirmation()
    fan_out = outbox.row_values(public_events.FAN_OUT_TASK, public_events.QUEUE, at) \
        if transition.public else None
    if db.engine.dialect.name == "postgresql":
        params = {"w_petition": petition_id, "w_at": at, "w_language": language,
                  "w_confirm": confirm, **{f"w_{k}": v for k, v in values.items()},
                  **{f"w_o_{k}": v for k, v in (fan_out or {}).items()}}
        event_id, message_id, *_ = db.session.execute(_one_statement(
            action, tuple(values), tuple(fan_out or ()), confirm is not None,
            wait_for_disk), params).one()
    else:
        event_id = message_id = None
        moved = (sa.update(Petition).where(Petition.id == petition_id,
                                           Petition.status == source)
                 .values(status=transition.target, version=Petition.version + 1, **values))
        event_values = {"at": at, "actor_id": None, "action": action, "from_status": source,
                        "to_status": transition.target, "public": transition.public,
                        "message": ""}
        if db.session.execute(moved).rowcount:
            event_id = db.session.scalar(sa.insert(Event).values(
                petition_id=petition_id, **event_values).returning(Event.id))
            if fan_out is not None:
                message_id = db.session.scalar(sa.insert(OutboxMessage).values(
                    args=[event_id, language], **fan_out).returning(OutboxMessage.id))
        if confirm is not None:
            db.session.execute(sa.update(OutboxMessage).where(
                OutboxMessage.id == confirm, OutboxMessage.confirmed_at.is_(None))
                .values(confirmed_at=at))
    if message_id is not None:
        outbox.pending(outbox.Committed(message_id, public_events.FAN_OUT_TASK,
                                        [event_id, language], public_events.QUEUE))
    return event_id is not None


_STATEMENTS: dict = {}


def _one_statement(action: str, names: tuple, fan_out: tuple, closing: bool,
                   wait_for_disk: bool):
    """PostgreSQL: ``apply_in_sql``'s writes as one ``WITH``, built once per shape and
    then only executed with new parameters (``w_…``); it answers (event id, fan-out row
    id), both None when the petition did not move."""
    key = (action, names, fan_out, closing, wait_for_disk)
    if key in _STATEMENTS:
        return _STATEMENTS[key]
    transition = TRANSITIONS[action]
    (source,) = transition.sources
    p = Petition.__table__.c
    moved = (sa.update(Petition)
             .where(Petition.id == sa.bindparam("w_petition", type_=sa.Integer),
                    Petition.status == source)
             .values(status=transition.target, version=Petition.version + 1,
                     **{n: sa.bindparam(f"w_{n}", type_=p[n].type) for n in names})
             .returning(Petition.id).cte("moved"))
    event, row = _event_and_fan_out(moved, action, sa.null(), fan_out)
    picked = [sa.select(event.c.id).scalar_subquery(),
              sa.select(row.c.id).scalar_subquery() if row is not None else sa.null()]
    if not wait_for_disk:  # SET LOCAL, without a round trip of its own
        picked.append(sa.func.set_config("synchronous_commit", "off", True))
    query = sa.select(*picked)
    if closing:
        # Written whether or not the petition moved (a WITH's UPDATE always runs).
        query = query.add_cte(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == sa.bindparam("w_confirm", type_=sa.Integer),
                   OutboxMessage.confirmed_at.is_(None))
            .values(confirmed_at=sa.bindparam("w_at", type_=OutboxMessage.confirmed_at.type))
            .returning(OutboxMessage.id).cte("closed"))
    _STATEMENTS[key] = query
    return query


def _event_and_fan_out(moved, action: str, actor, fan_out: tuple):
    """PostgreSQL: the event of each petition ``moved`` returns (a CTE of an UPDATE) and,
    for a public one, its fan-out row (columns ``fan_out``), as CTEs of ``INSERT …
    SELECT``; parameters ``w_at``, ``w_language`` and ``w_o_…``. (event, fan-out row or
    None)."""
    transition = TRANSITIONS[action]
    (source,) = transition.sources
    e, o = Event.__table__.c, OutboxMessage.__table__.c
    event_values = {"at": sa.bindparam("w_at", type_=e.at.type), "actor_id": actor,
                    "action": sa.literal(action, e.action.type),
                    "from_status": sa.literal(source, e.from_status.type),
                    "to_status": sa.literal(transition.target, e.to_status.type),
                    "public": sa.literal(transition.public, e.public.type),
                    "message": sa.literal("", e.message.type)}
    event = (sa.insert(Event).from_select(["petition_id", *event_values],
                                          sa.select(moved.c.id, *event_values.values()))
             .returning(Event.id).cte("event"))
    if not fan_out:
        return event, None
    row = (sa.insert(OutboxMessage).from_select(["args", *fan_out], sa.select(
        sa.func.json_build_array(event.c.id, sa.bindparam("w_language", type_=sa.String)),
        *(sa.bindparam(f"w_o_{n}", type_=o[n].type) for n in fan_out)))
        .returning(OutboxMessage.id).cte("fan_out"))
    return event, row


def add_note(petition, actor, text: str) -> Event:
    """An internal note: part of the case history, never shown outside the agency."""
    event = Event(petition_id=petition.id, at=utcnow(), actor_id=actor.id, action="note",
                  from_status=petition.status, to_status=petition.status, public=False,
                  message=text)
    db.session.add(event)
    return event


def event_title(event):
    if event.action == "note":
        return NOTE_TITLE
    if event.action == arrival_words.ACTION:  # a step of the case, not a status change
        return arrival_words.title(event)
    return TRANSITIONS[event.action].title
