"""The JSON API contract (docs/api.md): tokens, the caller, reference data, error shape.

Filing, documents, decisions and lists are in the other test_api_*.py files.
"""
import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.unit.conftest import API, ApiClient, assert_error
from traveler_portal.extensions import db
from traveler_portal.models import ApiToken
from traveler_portal.models.users import utcnow


def test_a_token_is_issued_for_the_right_password_and_stored_only_as_a_hash(app, client, seed):
    email = seed.user("traveler")
    response = client.post(f"{API}/auth/token", json={"email": email.upper(),
                                                      "password": factories.PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {"token", "expires_at"} and len(body["token"]) >= 32
    assert body["expires_at"].endswith("+00:00")
    with app.app_context():
        [row] = db.session.scalars(sa.select(ApiToken)).all()
        assert row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
        stored = [str(v) for v in row.__dict__.values()]
        assert body["token"] not in stored


@pytest.mark.parametrize("who", ["wrong password", "unknown email"])
def test_bad_credentials_are_refused_alike(client, seed, who):
    email = seed.user("traveler")
    payload = ({"email": email, "password": "not the password"} if who == "wrong password"
               else {"email": "nobody@example.test", "password": factories.PASSWORD})
    error = assert_error(client.post(f"{API}/auth/token", json=payload), 401,
                         "invalid_credentials")
    assert error["message"] == "The email or password is wrong."


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-real-token",
                                    "Basic dXNlcjpwYXNz", "bearer"])
def test_without_a_valid_token_the_api_answers_unauthenticated(client, header):
    headers = {"Authorization": header} if header else {}
    for path in ["/me", "/petitions", "/countries/US/categories", "/queues"]:
        assert_error(client.get(API + path, headers=headers), 401, "unauthenticated")
    assert_error(client.post(f"{API}/petitions", json={}, headers=headers), 401,
                 "unauthenticated")


def test_a_revoked_token_stops_working_and_other_tokens_keep_working(app, api):
    first = api("traveler")
    second_token = first.client.post(f"{API}/auth/token", json={
        "email": first.email, "password": factories.PASSWORD}).get_json()["token"]
    assert first.get("/me").status_code == 200

    revoked = first.delete("/auth/token")
    assert revoked.status_code == 204 and revoked.data == b""
    assert_error(first.get("/me"), 401, "unauthenticated")
    assert_error(first.delete("/auth/token"), 401, "unauthenticated")
    assert ApiClient(app.test_client(), first.email, second_token).get("/me").status_code == 200


def test_an_expired_token_is_refused(api, seed):
    traveler = api("traveler")
    assert traveler.get("/me").status_code == 200
    seed.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert_error(traveler.get("/me"), 401, "unauthenticated")


def test_me_describes_the_caller(api):
    traveler = api("traveler", organization="Maple Robotics Ltd.", name="Ada Traveler")
    me = traveler.get("/me").get_json()
    assert {k: me[k] for k in ("email", "name", "role", "country")} == {
        "email": traveler.email, "name": "Ada Traveler", "role": "traveler", "country": None}
    assert me["organization"]["name"] == "Maple Robotics Ltd."

    officer = api("officer", country="CA").get("/me").get_json()
    assert (officer["role"], officer["country"], officer["organization"]) == ("officer", "CA",
                                                                              None)


@pytest.mark.parametrize("country,category,port", [("US", "TN", "BLAINE"),
                                                   ("CA", "CUSMA_PRO", "DOUGLAS")])
def test_each_country_lists_its_own_categories_and_ports(api, country, category, port):
    caller = api("traveler")
    categories = caller.get(f"/countries/{country}/categories")
    assert categories.status_code == 200
    by_code = {c["code"]: c for c in categories.get_json()["items"]}
    assert category in by_code
    assert ({"TN", "CUSMA_PRO"} - {category}).isdisjoint(by_code)  # not the other country's
    for item in by_code.values():
        assert item["name"] and item["required_documents"]
        assert all(set(d) >= {"kind", "name"} for d in item["required_documents"])
    assert by_code[category]["required_documents"][0]["kind"] == "passport"

    ports = caller.get(f"/countries/{country}/ports")
    assert ports.status_code == 200
    codes = [p["code"] for p in ports.get_json()["items"]]
    assert port in codes and ({"BLAINE", "DOUGLAS"} - {port}).isdisjoint(codes)
    assert all(p["name"] for p in ports.get_json()["items"])


def test_required_documents_of_tn_are_passport_and_employer_letter(api):
    tn = next(c for c in api("employer").get("/countries/US/categories").get_json()["items"]
              if c["code"] == "TN")
    assert [d["kind"] for d in tn["required_documents"]] == ["passport", "employer_letter"]


@pytest.mark.parametrize("country", ["MX", "us", "XX"])
def test_another_country_is_not_found(api, country):
    caller = api("traveler")
    assert_error(caller.get(f"/countries/{country}/categories"), 404, "not_found")
    assert_error(caller.get(f"/countries/{country}/ports"), 404, "not_found")


def test_unknown_api_paths_and_methods_answer_in_json(api, client):
    traveler = api("traveler")
    assert_error(traveler.get("/no-such-thing"), 404, "not_found")
    assert_error(client.get(f"{API}/no-such-thing"), 404, "not_found")
    assert_error(traveler.get("/petitions/US-2020-NOPE00/no-such-action"), 404, "not_found")
    assert_error(traveler.call("PUT", "/me"), 405)
    assert_error(client.get(f"{API}/auth/token"), 405)
    assert_error(traveler.call("PATCH", "/petitions"), 405)


def test_a_405_names_the_methods_that_are_allowed(api):
    """RFC 9110 section 15.5.6: a 405 response MUST carry an Allow header."""
    not_allowed = api("traveler").call("PUT", "/me")
    assert_error(not_allowed, 405)
    assert "GET" in not_allowed.headers.get("Allow", "")


def test_a_role_that_may_not_call_an_endpoint_gets_forbidden(api):
    traveler = api("traveler")
    assert_error(traveler.get("/queues"), 403, "forbidden")
    assert_error(traveler.post("/queues/US-BLAINE/claim"), 403, "forbidden")
    officer = api("officer", country="US")
    assert_error(officer.post("/petitions", json={}), 403, "forbidden")
