"""No 500 from input, API side (issue 14, item 6): schemathesis generates requests from
the served OpenAPI document (/api/v1/openapi.json) — valid ones and ones breaking the
schema: wrong types, objects where strings belong, odd strings in paths and queries — and
sends them with a signed-in token: a traveler's, an employer admin's and a supervisor's.
No answer may be a 5xx.

The examples are few per operation and derandomized (the same cases every run), so the
whole file runs in seconds; the hand-written cases below pin the issue's examples."""
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings

from tests.unit.conftest import assert_error
from tests.unit.test_web_auth import sign_in
from traveler_portal.api import openapi
from traveler_portal.domain import accounts
from traveler_portal.extensions import db
from traveler_portal.models import User

FUZZ = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck))


# The document the app serves at /api/v1/openapi.json (test_served_document_is_the_one_fuzzed
# checks that); loaded from the function because schemathesis' lazy fixture loader does
# not work with this pytest version.
schema = schemathesis.openapi.from_dict(openapi.document())


def test_the_fuzzed_document_is_the_served_one(client):
    assert client.get("/api/v1/openapi.json").get_json() == openapi.document()


def _token(app, email: str) -> str:
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        return accounts.issue_token(user)[0]


ROLES = ("traveler", "employer", "supervisor")
OPERATIONS = {f"{op.method.upper()} {op.path}": op
              for op in (result.ok() for result in schema.get_all_operations())}


@pytest.mark.parametrize("name", OPERATIONS)
def test_no_generated_request_gets_a_5xx(app, seed, name):
    """A traveler, an employer admin (filing, documents and the organization's endpoints)
    and a supervisor (the casework: claims, decisions, referrals, notes) each send every
    generated request of the operation, under one signed-in account each (created once: a
    password hash per request would cost more than the requests). The cases are generated
    once and sent with the three tokens: generating them cost as much as sending them."""
    tokens = {role: _token(app, seed.user(role)) for role in ROLES}
    seed.queued(seed.user("traveler"))  # a routed petition exists to be worked on

    @FUZZ
    @given(case=OPERATIONS[name].as_strategy())
    def no_5xx(case):
        headers = case.headers or {}
        for role, token in tokens.items():
            case.headers = {**headers, "Authorization": f"Bearer {token}"}
            response = case.call(app=app)
            assert response.status_code < 500, (role, case.method, case.formatted_path,
                                                case.body, case.query, response.text[:500])
    no_5xx()


@pytest.mark.parametrize("body,field,status", [
    ({"destination_country": {"$ne": 1}}, "destination_country", 422),
    ({"destination_country": "US", "category": ["TN", {"a": 1}]}, "category", 422),
    ({"destination_country": "US\x00", "category": "TN"}, "destination_country", 400),
])
def test_objects_and_nul_bytes_in_json_name_the_field(api, body, field, status):
    traveler = api("traveler")
    response = traveler.post("/petitions", json=body)
    error = assert_error(response, status)
    assert field in error["fields"], error


def test_a_nul_byte_in_a_url_segment_or_query_is_400_naming_it(api):
    traveler = api("traveler")
    assert "path" in assert_error(traveler.get("/petitions/US-2026-%00"), 400)["fields"]
    assert "status" in assert_error(traveler.get("/petitions?status=%00"), 400)["fields"]


def test_an_id_beyond_the_databases_integers_names_nothing(api, client):
    """PostgreSQL refused a query with an id past its integers (a 500 the fuzzing found):
    such an id names no row, like any other unknown one."""
    employer = api("employer")
    too_large = 2**31
    for path in (f"/organization/travelers/{too_large}",
                 f"/organization/invitations/{too_large}"):
        assert_error(employer.delete(path), 404)
    assert employer.delete(f"/organization/travelers/{too_large - 1}").status_code == 404
    sign_in(client, employer.email)
    assert client.get(f"/employer/imports/{too_large}").status_code == 404
