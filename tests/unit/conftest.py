"""Helpers for the unit tests that go through the Flask test client.

Requests must run in their own app context (their own database session, their own ``g``),
as in production; so test data for them is made in short app contexts of its own
(``seed``) instead of the ``make`` fixture, whose context stays pushed for the whole test.
"""
from io import BytesIO

import pytest
import sqlalchemy as sa

from tests import factories
from traveler_portal.domain import accounts, routing, second_factor
from traveler_portal.extensions import db
from traveler_portal.models import Petition, User

API = "/api/v1"


@pytest.fixture
def task_class(app, monkeypatch):
    """The workers' base task class, its tasks run on the test database (in process)."""
    import workers.base as base  # noqa: PLC0415 - builds the workers' Celery app
    monkeypatch.setattr(base, "flask_app", app)
    return base.PortalTask


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The contract's error shape: JSON ``{"error": {"code", "message"}}``."""
    assert response.status_code == status, (response.status_code, response.data[:500])
    assert response.mimetype == "application/json", response.headers
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


class ApiClient:
    """The Flask test client speaking to /api/v1 with one bearer token."""

    def __init__(self, client, email: str, token: str | None = None):
        self.client, self.email, self.token = client, email, token

    def call(self, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(API + path, method=method, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def upload(self, receipt, kind="passport", data=factories.PDF_BYTES, filename="doc.pdf"):
        return self.post(f"/petitions/{receipt}/documents", content_type="multipart/form-data",
                         data={"kind": kind, "file": (BytesIO(data), filename)})


class Seed:
    """Factories run in their own app context; they return plain values, not rows."""

    def __init__(self, app):
        self.app = app

    def _user(self, email: str) -> User:
        return db.session.scalars(sa.select(User).where(User.email == email)).one()

    def user(self, role="traveler", **options) -> str:
        with self.app.app_context():
            return factories.user(role, **options).email

    def draft(self, email: str, **options) -> str:
        with self.app.app_context():
            return factories.draft(self._user(email), **options).receipt_number

    def submitted(self, email: str, **options) -> str:
        with self.app.app_context():
            return factories.submitted(self._user(email), **options).receipt_number

    def queued(self, email: str, **options) -> str:
        with self.app.app_context():
            petition = factories.submitted(self._user(email), **options)
            receipt, petition_id = petition.receipt_number, petition.id
            assert routing.route(petition_id)
            return receipt

    def petition(self, receipt: str) -> dict:
        with self.app.app_context():
            p = db.session.scalars(sa.select(Petition).where(
                Petition.receipt_number == receipt)).one()
            return {"status": p.status.value, "version": p.version,
                    "decisions": len(p.decisions), "events": len(p.events),
                    "documents": len(p.documents)}

    def count(self, model) -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    def execute(self, statement):
        with self.app.app_context():
            db.session.execute(statement)
            db.session.commit()


@pytest.fixture(autouse=True)
def _second_factor_clock(monkeypatch):
    """The portal runs in this process: a sign-in that needs a later time step's code
    moves the second factor's clock on to it rather than waiting up to 30 s
    (factories.StepClock)."""
    monkeypatch.setattr(second_factor, "time", factories.StepClock())


@pytest.fixture
def seed(app):
    return Seed(app)


@pytest.fixture
def api(app, seed):
    """``api(role, **user_options)`` → an ApiClient signed in as a new user of that role."""
    def sign_in(role="traveler", **options) -> ApiClient:
        # The token is issued by the domain service directly (POST /auth/token has its own
        # tests): a password check costs a deliberately slow scrypt.
        with app.app_context():
            user = factories.user(role, **options)
            token, _row = accounts.issue_token(user)
            email = user.email
        return ApiClient(app.test_client(), email, token)
    return sign_in


@pytest.fixture
def anonymous(app):
    return ApiClient(app.test_client(), email="")
