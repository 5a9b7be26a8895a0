"""The status a traveler asks for most — the API petition (bearer token) and the petition
page — costs a small, constant number of SQL statements whatever the rows: counted with
one event, one document and nobody ahead in the queue, then again with 30 of each (a
per-row query would show up as +29). The counts are also held to the few statements the
request needs (account, petition with its place in the queue and its traveler's profile,
its lists), so a statement added by accident is noticed. (On PostgreSQL such a read-only
request sends no BEGIN and no COMMIT either: traveler_portal/database.py.)"""
import uuid

import sqlalchemy as sa

from tests import factories
from tests.statements import counted, queries
from tests.unit.test_status import queued
from tests.unit.test_web_auth import sign_in
from traveler_portal.domain import accounts
from traveler_portal.extensions import db
from traveler_portal.models import Document, Event, Petition, User

# account (with its language and, for a page, the unread count) + petition (with its
# place in the queue, and for the API the traveler's profile) + documents, decisions,
# events; the page also reads the category's required documents.
API_STATEMENTS, PAGE_STATEMENTS = 5, 6


def _user(email):
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def _petition(receipt):
    return db.session.scalars(sa.select(Petition).where(
        Petition.receipt_number == receipt)).one()


def _grow(app, receipt, rows):
    """``rows`` more copies of the petition's first event and document."""
    with app.app_context():
        petition = _petition(receipt)
        first_event, first_document = petition.events[0], petition.documents[0]
        for _ in range(rows):
            db.session.add(Event(petition_id=petition.id, at=first_event.at,
                                 action=first_event.action,
                                 from_status=first_event.from_status,
                                 to_status=first_event.to_status, public=True, message=""))
            db.session.add(Document(
                id=str(uuid.uuid4()), petition_id=petition.id, kind=first_document.kind,
                filename=first_document.filename, stored_name=uuid.uuid4().hex,
                content_type=first_document.content_type, size=first_document.size,
                sha256=first_document.sha256, uploaded_by_id=first_document.uploaded_by_id))
        db.session.commit()


def _counted(app, client, path, headers=None):
    with app.app_context():
        engine = db.engine
    assert client.get(path, headers=headers).status_code == 200, path  # warm
    with counted(engine) as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return len(queries(statements)), response


def test_the_status_call_and_page_cost_the_same_few_statements_with_30_rows_as_with_1(
        app, monkeypatch):
    # As in production: the decision durations are kept a while (a test of their own in
    # test_status.py), not read by every call.
    monkeypatch.setitem(app.config, "ESTIMATE_CACHE_SECONDS", 300)
    monkeypatch.setitem(app.extensions, "status_durations", {})
    with app.app_context():
        email = factories.user("traveler").email
        traveler = _user(email)
        small = queued(traveler).receipt_number
        for _ in range(30):
            queued(traveler)  # with ``small``, 31 petitions ahead of the next one
        large = queued(traveler).receipt_number
        token = accounts.issue_token(_user(email))[0]
    _grow(app, large, 29)
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    page = app.test_client()
    assert sign_in(page, email).status_code == 302

    api_small, body_small = _counted(app, api, f"/api/v1/petitions/{small}", bearer)
    api_large, body_large = _counted(app, api, f"/api/v1/petitions/{large}", bearer)
    page_small, _ = _counted(app, page, f"/my/petitions/{small}")
    page_large, shown = _counted(app, page, f"/my/petitions/{large}")

    # What the statements read is right: the place in the queue, every row.
    assert body_small.get_json()["queue_position"] == 1
    assert body_large.get_json()["queue_position"] == 32
    assert len(body_large.get_json()["documents"]) == len(body_small.get_json()["documents"]) + 29
    assert len(body_large.get_json()["timeline"]) == len(body_small.get_json()["timeline"]) + 29
    assert "Number 32 in the queue" in shown.get_data(as_text=True)

    assert api_large == api_small <= API_STATEMENTS, (api_small, api_large)
    assert page_large == page_small <= PAGE_STATEMENTS, (page_small, page_large)
