"""Helpers for the officers' workspace tests (Flask test client and domain calls): signed-in
clients, petitions put in a queue, and reference rows (rules, queues) removed after a test
(the reference tables are not emptied between tests)."""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal.domain import routing
from traveler_portal.extensions import db
from traveler_portal.models import AdjudicationQueue, Petition, RoutingRule, User

FROZEN = date(2031, 6, 4)  # a Wednesday; the tests' "today"


def user_row(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def petition_row(receipt: str) -> Petition:
    db.session.expire_all()
    return db.session.scalars(sa.select(Petition).where(
        Petition.receipt_number == receipt)).one()


class Client:
    """A signed-in Flask test client (its requests run in their own app context)."""

    def __init__(self, app, role, **options):
        with app.app_context():
            self.email = factories.user(role, **options).email
        self.http = app.test_client()
        signed = sign_in(self.http, self.email)
        assert signed.status_code in (302, 303), (signed.status_code, signed.data[-3000:])

    def get(self, path, **kw):
        return self.http.get(path, **kw)

    def post(self, page: str, action: str, data: dict, **kw):
        """Post ``data`` with the CSRF token of ``page``."""
        return self.http.post(action, data={"csrf_token": csrf_token(self.http, page), **data},
                              **kw)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def queued(traveler, today: date = FROZEN, **options) -> Petition:
    """A submitted petition routed on ``today``."""
    petition = factories.submitted(traveler, **options)
    assert routing.route(petition.id, today=today)
    return petition_row(petition.receipt_number)


@pytest.fixture
def reference_cleanup(app):
    """Rules and queues a test adds are removed afterwards (with the petitions in them)."""
    with app.app_context():
        rules = set(db.session.scalars(sa.select(RoutingRule.id)))
        queues = set(db.session.scalars(sa.select(AdjudicationQueue.id)))
    yield
    with app.app_context():
        db.session.rollback()
        new_queues = set(db.session.scalars(sa.select(AdjudicationQueue.id))) - queues
        db.session.execute(sa.delete(RoutingRule).where(RoutingRule.id.not_in(rules)))
        if new_queues:
            db.session.execute(sa.update(Petition).where(Petition.queue_id.in_(new_queues))
                               .values(queue_id=None))
            db.session.execute(sa.text("DELETE FROM queue_officers"))
            db.session.execute(sa.delete(AdjudicationQueue).where(
                AdjudicationQueue.id.in_(new_queues)))
        db.session.commit()
