"""The petition state machine (traveler_portal/domain/workflow.py).

The expected transitions are written out here from the diagram in shared/DESIGN.md, not
read from the module under test, so a change to the machine has to change this table too.
"""
import pytest
import sqlalchemy as sa

from traveler_portal.api import serializers
from traveler_portal.domain import workflow
from traveler_portal.domain.errors import Conflict
from traveler_portal.extensions import db
from traveler_portal.models import Event, Status

S = Status
BEFORE_DECISION = {S.DRAFT, S.SUBMITTED, S.QUEUED, S.IN_REVIEW, S.EVIDENCE_REQUESTED}
EXPECTED = {  # action: (sources, target, public)
    "submit": ({S.DRAFT}, S.SUBMITTED, True),
    "route": ({S.SUBMITTED}, S.QUEUED, True),
    "claim": ({S.QUEUED}, S.IN_REVIEW, True),
    "release": ({S.IN_REVIEW}, S.QUEUED, False),
    "approve": ({S.IN_REVIEW}, S.APPROVED, True),
    # four eyes: a denial waits, internal, for a supervisor to confirm or return it
    "deny": ({S.IN_REVIEW}, S.DENIAL_PENDING, False),
    "confirm_denial": ({S.DENIAL_PENDING}, S.DENIED, True),
    "return_denial": ({S.DENIAL_PENDING}, S.IN_REVIEW, False),
    "refer": ({S.IN_REVIEW}, S.QUEUED, False),
    "request_evidence": ({S.IN_REVIEW}, S.EVIDENCE_REQUESTED, True),
    "evidence_received": ({S.EVIDENCE_REQUESTED}, S.QUEUED, True),
    "evidence_deadline_passed": ({S.EVIDENCE_REQUESTED}, S.IN_REVIEW, True),
    # a hold and a pending denial look like "in review" to the traveler: still undecided
    "withdraw": (BEFORE_DECISION | {S.ON_HOLD, S.DENIAL_PENDING}, S.WITHDRAWN, True),
    "hold": ({S.IN_REVIEW}, S.ON_HOLD, False),
    "resume": ({S.ON_HOLD}, S.QUEUED, False),
    "expire": ({S.APPROVED}, S.EXPIRED, True),
}
ALLOWED = [(action, source) for action, (sources, _, _) in EXPECTED.items()
           for source in sorted(sources)]


@pytest.fixture
def traveler(make):
    return make.user("traveler")


def petition_in(make, traveler, status: Status):
    """A fresh petition put straight into ``status`` (test setup only)."""
    petition = make.draft(traveler)
    petition.status = status
    db.session.commit()
    return petition


def events_of(petition) -> list[Event]:
    return db.session.scalars(sa.select(Event).where(Event.petition_id == petition.id)
                              .order_by(Event.id)).all()


def test_the_machine_has_exactly_the_designed_actions():
    assert set(workflow.TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize("action,source", ALLOWED, ids=[f"{a}-from-{s}" for a, s in ALLOWED])
def test_an_allowed_transition_moves_the_status_and_records_one_event(make, traveler,
                                                                     action, source):
    _sources, target, public = EXPECTED[action]
    petition = petition_in(make, traveler, source)
    version = petition.version
    assert workflow.can(petition, action)
    assert events_of(petition) == []

    workflow.apply(petition, action, traveler, message="a reason")
    db.session.commit()
    db.session.expire_all()

    assert petition.status == target
    assert petition.version == version + 1
    [event] = events_of(petition)
    assert (event.action, event.from_status, event.to_status) == (action, source, target)
    assert event.actor_id == traveler.id
    assert event.public is public
    assert event.message == "a reason"
    assert event.at is not None


@pytest.mark.parametrize("action", list(EXPECTED))
def test_a_refused_transition_raises_conflict_and_changes_nothing(make, traveler, action):
    sources = EXPECTED[action][0]
    refused = [s for s in Status if s not in sources]
    assert refused, "every action is refused from some status"
    for source in refused:
        petition = petition_in(make, traveler, source)
        version = petition.version
        assert not workflow.can(petition, action), source

        with pytest.raises(Conflict) as raised:
            workflow.apply(petition, action, traveler, message="should not be kept")
        assert raised.value.http_status == 409

        assert petition.status == source and petition.version == version
        assert not [obj for obj in db.session.new if isinstance(obj, Event)], source
        db.session.commit()
        db.session.expire_all()
        assert (petition.status, petition.version) == (source, version), source
        assert events_of(petition) == [], source


def test_a_system_transition_records_no_actor(make, traveler):
    petition = petition_in(make, traveler, S.SUBMITTED)
    workflow.apply(petition, "route")
    db.session.commit()
    [event] = events_of(petition)
    assert event.actor_id is None and event.to_status == S.QUEUED


def test_a_whole_case_history_is_a_chain_and_only_public_steps_reach_the_traveler(make,
                                                                                  traveler):
    officer = make.user("officer", country="US")
    petition = make.draft(traveler)
    steps = [("submit", traveler), ("route", None), ("claim", officer), ("release", officer),
             ("claim", officer), ("request_evidence", officer),
             ("evidence_received", traveler), ("claim", officer), ("approve", officer)]
    for action, actor in steps:
        workflow.apply(petition, action, actor)
        if action == "request_evidence":
            workflow.add_note(petition, officer, "Secret: check the degree mill list.")
        db.session.commit()

    events = events_of(petition)
    assert [e.action for e in events if e.action != "note"] == [a for a, _ in steps]
    transitions = [e for e in events if e.action != "note"]
    assert transitions[0].from_status == S.DRAFT
    for before, after in zip(transitions, transitions[1:], strict=False):
        assert after.from_status == before.to_status
    assert petition.status == S.APPROVED
    assert petition.version == 1 + len(steps)

    seen = serializers.petition(petition, traveler)
    titles = [t["title"] for t in seen["timeline"]]
    assert "Case was returned to the queue" not in titles
    assert all("degree mill" not in t["message"] for t in seen["timeline"])
    assert len(seen["timeline"]) == len(steps) - 1  # all but the release
    assert [t["status"] for t in seen["timeline"]][-1] == "approved"


def test_an_internal_note_is_private_and_changes_no_status(make, traveler):
    officer = make.user("officer", country="US")
    petition = petition_in(make, traveler, S.IN_REVIEW)
    version = petition.version
    workflow.add_note(petition, officer, "Looks fine, call the employer.")
    db.session.commit()
    db.session.expire_all()

    [note] = events_of(petition)
    assert note.public is False
    assert (note.action, note.actor_id) == ("note", officer.id)
    assert note.from_status == note.to_status == S.IN_REVIEW
    assert (petition.status, petition.version) == (S.IN_REVIEW, version)
    assert serializers.petition(petition, traveler)["timeline"] == []


def test_every_status_has_a_plain_label():
    assert set(workflow.STATUS_LABELS) == set(Status)
    assert all(str(label) for label in workflow.STATUS_LABELS.values())
