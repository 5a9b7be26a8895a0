"""Headers and sessions (issue 14, item 7): no authenticated answer (browser page, API
JSON, document) nor the password-reset page may be stored by a cache; HSTS in production;
a session left idle ends before its absolute limit."""
import pytest

from config import ProductionConfig
from tests.unit.test_web_auth import sign_in, signed_in, where


def test_every_signed_in_page_and_download_is_no_store(client, seed, api):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    doc = traveler.upload(receipt).get_json()
    assert where(sign_in(client, traveler.email)) == "/my/"
    for path in ("/my/", "/my/profile", f"/my/petitions/{receipt}",
                 f"/my/petitions/{receipt}/documents/{doc['id']}", "/notifications/",
                 "/my/not-a-page"):
        response = client.get(path)
        assert "no-store" in response.headers["Cache-Control"], (path, response.status_code)


def test_every_api_answer_to_a_token_is_no_store(api, seed):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    for path in ("/me", f"/petitions/{receipt}", "/petitions", "/petitions/NOPE"):
        assert traveler.get(path).headers["Cache-Control"] == "no-store", path


def test_the_reset_page_is_no_store_and_public_pages_may_be_cached(client):
    assert client.get("/password/reset/not-a-token").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/static/portal.css").headers.get("Cache-Control", "")


def test_hsts_in_production_only(app, client, monkeypatch):
    assert ProductionConfig.HSTS_SECONDS >= 180 * 24 * 3600
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "HSTS_SECONDS", ProductionConfig.HSTS_SECONDS)
    header = client.get("/login").headers["Strict-Transport-Security"]
    assert header == f"max-age={ProductionConfig.HSTS_SECONDS}; includeSubDomains"


@pytest.fixture
def idle_seconds(app):
    return app.config["SESSION_IDLE_MINUTES"] * 60


def test_a_session_left_idle_ends_before_its_absolute_limit(app, client, seed,
                                                            idle_seconds):
    assert idle_seconds < app.config["SESSION_MAX_HOURS"] * 3600
    assert where(sign_in(client, seed.user("traveler"))) == "/my/"
    with client.session_transaction() as session:
        session["seen_at"] -= idle_seconds - 60  # a minute before the idle limit
        session["signed_in_at"] -= idle_seconds - 60
    assert signed_in(client)  # ... and that request counts as activity
    with client.session_transaction() as session:
        assert session["seen_at"] > session["signed_in_at"]
        session["seen_at"] -= idle_seconds + 1
    assert not signed_in(client)
