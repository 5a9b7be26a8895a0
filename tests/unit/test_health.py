"""Liveness and readiness: the public answer says ok / not ok (and which part failed for
/readyz); the details are for loopback callers and agency staff only."""
from tests import factories
from tests.unit.test_web_auth import sign_in


def remote(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_healthz_is_liveness_and_says_only_ok_to_the_public(client):
    response = client.get("/healthz", **remote("203.0.113.9"))
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_names_the_failed_part_without_details_to_the_public(client):
    # The unit tests' broker URL points at a closed port: the broker is "down".
    response = client.get("/readyz", **remote("203.0.113.9"))
    assert response.status_code == 503
    assert response.get_json() == {"status": "not ok", "failed": ["broker"]}


def test_loopback_callers_get_the_details(client, app):
    body = client.get("/readyz", **remote("127.0.0.1")).get_json()
    checks = body["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert not checks["broker"]["ok"]
    assert body["version"] == app.config["VERSION"] and body["database_revision"]
    assert client.get("/healthz", **remote("::1")).get_json()["database_revision"]


def test_signed_in_staff_get_the_details_travelers_do_not(app, client):
    with app.app_context():
        officer = factories.user("officer", country="US")
        traveler = factories.user("traveler")
        officer_email, traveler_email = officer.email, traveler.email
    for email, sees in ((traveler_email, False), (officer_email, True)):
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = "203.0.113.9"
        response = sign_in(browser, email)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        body = browser.get("/healthz").get_json()
        assert ("checks" in body) is sees, email
