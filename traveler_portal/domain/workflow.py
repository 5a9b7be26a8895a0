"""The petition state machine: the only code that changes a petition's status.

Callers load the petition with a row lock (see ``access.lock_petition``), call
:func:`apply`, and commit through ``uow.commit``. Every transition appends an event to the
case history; public events make up the traveler's timeline.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Event, Status
from ..models.users import utcnow
from . import integrations, notifications
from .errors import Conflict

S = Status
# Until a decision is public the traveler may withdraw: a hold and a denial awaiting its
# second pair of eyes are both "in review" to the traveler, so they count as undecided.
BEFORE_DECISION = frozenset({S.DRAFT, S.SUBMITTED, S.QUEUED, S.IN_REVIEW,
                             S.EVIDENCE_REQUESTED, S.ON_HOLD, S.DENIAL_PENDING})


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
    "withdraw": Transition(BEFORE_DECISION, S.WITHDRAWN, True, _l("Case was withdrawn")),
    # Officers' workspace: a hold takes the case out of the queue until its date, when the
    # scheduled sweep puts it back (domain/schedules.py); an approval past its validity.
    "hold": Transition(frozenset({S.IN_REVIEW}), S.ON_HOLD, False, _l("Case was put on hold")),
    "resume": Transition(frozenset({S.ON_HOLD}), S.QUEUED, False,
                         _l("Case came back to the queue after its hold")),
    "expire": Transition(frozenset({S.APPROVED}), S.EXPIRED, True, _l("Approval has expired")),
}

NOTE_TITLE = _l("Internal note")

# Plain words for each status, as travelers ask for them.
STATUS_LABELS = {
    S.DRAFT: _l("Draft, not yet submitted"),
    S.SUBMITTED: _l("Received"),
    S.QUEUED: _l("Waiting for an officer"),
    S.IN_REVIEW: _l("Being reviewed by an officer"),
    S.EVIDENCE_REQUESTED: _l("More evidence needed from you"),
    S.APPROVED: _l("Approved"),
    S.DENIED: _l("Denied"),
    S.WITHDRAWN: _l("Withdrawn"),
    S.ON_HOLD: _l("On hold"),
    S.DENIAL_PENDING: _l("Denial awaiting a supervisor"),
    S.EXPIRED: _l("Approval expired"),
}

# What travelers and employers are shown for the agency's internal states.
PUBLIC_STATUS = {S.ON_HOLD: S.IN_REVIEW, S.DENIAL_PENDING: S.IN_REVIEW}


def public_status(status: Status) -> Status:
    return PUBLIC_STATUS.get(status, status)


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
    event = Event(petition_id=petition.id, at=utcnow(), actor_id=actor.id if actor else None,
                  action=action, from_status=petition.status, to_status=transition.target,
                  public=transition.public, message=message or "")
    petition.status = transition.target
    petition.version += 1
    db.session.add(event)
    if transition.public:
        notifications.on_public_event(petition, event, transition.title)  # their language
        integrations.on_public_event(petition, event, str(transition.title))
    return event


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
    return TRANSITIONS[event.action].title
