"""The officer's work costs a fixed number of SQL statements whatever the rows: the queue
page, the case view (a case with notes by several officers, a traveler with decided earlier
petitions) and claim-next (the officer's button and the API) are counted with 3 of
everything, then with 12; the counts must be equal (a per-row query shows up as +9), and
stay within the ceilings below (what the page reads, and the common per-request work)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.statements import counted
from tests.unit.test_status import queued
from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal.domain import accounts, adjudication
from traveler_portal.domain.adjudication import DecisionInput
from traveler_portal.extensions import db
from traveler_portal.models import AuditEntry, Event, Petition, Status, User
from traveler_portal.models.users import utcnow

QUEUE = "US-BLAINE"
# Ceilings: the page's own statements plus the per-request work every page shares
# (session user, language, time zone, unread notifications, the transaction). A claim
# writes its event's fan-out as one outbox row (the notifications are that task's): 16
# and 22 statements before, 11 and 17 since. On PostgreSQL the claim's UPDATE, event,
# audit entry and fan-out row are one statement (a WITH): 9 and 15 before, 6 and 12 since.
CEILINGS = {"queue page": 12, "case view": 20, "claim-next (page)": 11,
            "claim-next (API)": 17}
POSTGRESQL_CLAIMS = {"claim-next (page)": 6, "claim-next (API)": 12}


def _user(email):
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


class World:
    """One traveler's case claimed by the officer, grown in steps: per step another
    officer writes a note on it, one more earlier petition of the traveler is approved,
    and two more wait in the queue (one for the page, one for claim-next)."""

    def __init__(self, app):
        self.app, self.size, self.colleagues = app, 0, 0
        with app.app_context():
            self.traveler = factories.user("traveler", organization="Counted Officers Ltd.").email
            self.officer = factories.user("officer", country="US").email
            self.token = accounts.issue_token(_user(self.officer))[0]
            queued(_user(self.traveler), days_ahead=3)  # the most urgent: claimed first
            self.case = adjudication.claim_next(_user(self.officer), QUEUE).receipt_number

    def grow(self, size):
        with self.app.app_context():
            traveler, officer = _user(self.traveler), _user(self.officer)
            today = utcnow().date()
            for _ in range(size - self.size):
                self.colleagues += 1
                colleague = factories.user("officer", country="US",
                                           name=f"Colleague Number{self.colleagues}")
                adjudication.add_note(colleague, self.case, "Checked the employer letter.")
                queued(traveler, days_ahead=20)  # claimed and approved just below
                earlier = adjudication.claim_next(officer, QUEUE)
                adjudication.decide(officer, earlier.receipt_number, DecisionInput(
                    outcome="approved", valid_until=today + timedelta(days=300)))
                queued(traveler, days_ahead=60)
                queued(traveler, days_ahead=60)
            self.size = size


def _count(engine, call):
    with counted(engine) as statements:
        response = call()
    return response, len(statements)


@pytest.fixture
def world(app):
    return World(app)


def _measure(app, world, client):
    with app.app_context():
        engine = db.engine
    pages = {"queue page": f"/officer/queues/{QUEUE}",
             "case view": f"/officer/cases/{world.case}"}
    counts = {}
    for label, path in pages.items():
        assert client.get(path).status_code == 200, path  # warm
        response, counts[label] = _count(engine, lambda p=path: client.get(p))
        assert response.status_code == 200, label
    token = csrf_token(client, f"/officer/queues/{QUEUE}")
    response, counts["claim-next (page)"] = _count(engine, lambda: client.post(
        f"/officer/queues/{QUEUE}/claim", data={"csrf_token": token}))
    assert response.status_code == 302 and "/officer/cases/" in response.headers["Location"]
    api = app.test_client()
    response, counts["claim-next (API)"] = _count(engine, lambda: api.post(
        f"/api/v1/queues/{QUEUE}/claim", headers={"Authorization": f"Bearer {world.token}"}))
    assert response.status_code == 200 and response.get_json()["status"] == "in_review"
    return counts


def test_the_officers_pages_and_claims_cost_as_many_statements_at_12_rows_as_at_3(app, world):
    client = app.test_client()
    assert sign_in(client, world.officer).status_code == 302
    world.grow(3)
    small = _measure(app, world, client)
    world.grow(12)
    large = _measure(app, world, client)
    print({label: (small[label], large[label]) for label in small})
    assert large == small
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    ceilings = CEILINGS | (POSTGRESQL_CLAIMS if postgresql else {})
    assert all(small[label] <= ceilings[label] for label in small), small


def test_the_case_view_shows_every_note_and_earlier_decision_and_is_audited_once(app, world):
    """What the eager loads read is what the page shows: each note's author, each earlier
    approval; the view and the identity panel are in the audit trail, one entry each."""
    world.grow(3)
    client = app.test_client()
    assert sign_in(client, world.officer).status_code == 302
    page = client.get(f"/officer/cases/{world.case}").get_data(as_text=True)
    with app.app_context():
        petition = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == world.case)).one()
        authors = db.session.scalars(sa.select(User.name).join(Event, Event.actor_id == User.id)
                                     .where(Event.petition_id == petition.id,
                                            Event.action == "note")).all()
        approved = db.session.scalars(sa.select(Petition.receipt_number).where(
            Petition.traveler_id == petition.traveler_id,
            Petition.status == Status.APPROVED)).all()
        entries = db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.petition_id == petition.id,
            AuditEntry.action.in_(("case.view", "identity.view")))).all()
    assert len(authors) == 3 and all(name in page for name in authors)
    assert len(approved) == 3 and all(number in page for number in approved)
    assert sorted(entries) == ["case.view", "identity.view"]
