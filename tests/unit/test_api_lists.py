"""Lists (keyset pagination, status filter) and what the timeline shows to whom."""
import base64
import json
from datetime import date, timedelta

import pytest

from tests.statements import counted
from tests.unit.conftest import assert_error


def cursor_for(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_pages_follow_the_cursor_newest_first_without_duplicates(api, seed):
    traveler = api("traveler")
    receipts = [seed.draft(traveler.email) for _ in range(5)]
    seen, pages, url = [], 0, "/petitions?limit=2"
    while url:
        response = traveler.get(url)
        assert response.status_code == 200
        body = response.get_json()
        assert set(body) == {"items", "next_cursor"}
        assert 1 <= len(body["items"]) <= 2
        seen += [p["receipt_number"] for p in body["items"]]
        pages += 1
        url = f"/petitions?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert pages == 3
    assert seen == list(reversed(receipts))
    everything = traveler.get("/petitions").get_json()
    assert [p["receipt_number"] for p in everything["items"]] == seen
    assert everything["next_cursor"] is None


def test_a_page_that_ends_exactly_on_the_last_item_has_no_next_cursor(api, seed):
    traveler = api("traveler")
    for _ in range(2):
        seed.draft(traveler.email)
    body = traveler.get("/petitions?limit=2").get_json()
    assert len(body["items"]) == 2 and body["next_cursor"] is None


def test_the_cursor_does_not_skip_a_petition_filed_between_pages(api, seed):
    traveler = api("traveler")
    older = [seed.draft(traveler.email) for _ in range(3)]
    first = traveler.get("/petitions?limit=2").get_json()
    newer = seed.draft(traveler.email)
    rest = traveler.get(f"/petitions?limit=2&cursor={first['next_cursor']}").get_json()
    got = [p["receipt_number"] for p in first["items"] + rest["items"]]
    assert got == list(reversed(older))  # the new one is on a fresh first page
    assert traveler.get("/petitions?limit=1").get_json()["items"][0]["receipt_number"] == newer


@pytest.mark.parametrize("query,field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=-1", "limit"),
    ("limit=ten", "limit"), ("limit=", "limit"),
    ("cursor=!!!", "cursor"), ("cursor=abc", "cursor"),
    ("cursor=" + cursor_for("ten"), "cursor"), ("cursor=" + cursor_for("-5"), "cursor"),
    ("cursor=" + cursor_for(str(2**70)), "cursor"),  # too big for a database integer
    ("status=pending", "status"),
])
def test_bad_list_parameters_are_refused(api, seed, query, field):
    traveler = api("traveler")
    seed.draft(traveler.email)
    error = assert_error(traveler.get(f"/petitions?{query}"), 422, "validation_failed")
    assert field in error["fields"]


def test_limit_100_is_allowed(api):
    assert api("traveler").get("/petitions?limit=100").status_code == 200


def test_the_status_filter_returns_only_that_status(api, seed):
    traveler = api("traveler")
    drafts = {seed.draft(traveler.email) for _ in range(2)}
    queued = seed.queued(traveler.email)

    def listed(status):
        body = traveler.get(f"/petitions?status={status}").get_json()
        assert all(p["status"] == status for p in body["items"])
        return {p["receipt_number"] for p in body["items"]}

    assert listed("draft") == drafts
    assert listed("queued") == {queued}
    assert listed("approved") == set()
    page = traveler.get("/petitions?status=draft&limit=1").get_json()
    rest = traveler.get(f"/petitions?status=draft&limit=1&cursor={page['next_cursor']}")
    assert {p["receipt_number"] for p in page["items"] + rest.get_json()["items"]} == drafts


SECRET = "Internal: employer is on the watch list, verify by phone."


@pytest.fixture
def decided_case(api, seed):
    """A case taken through claim, note, release, claim, evidence, note and approval."""
    employer = api("employer", organization="Maple Robotics Ltd.")
    traveler = api("traveler", organization="Maple Robotics Ltd.")
    officer = api("officer", country="US")
    receipt = seed.queued(traveler.email)
    assert officer.post("/queues/US-BLAINE/claim").status_code == 200
    assert officer.post(f"/petitions/{receipt}/notes", json={"note": SECRET}).status_code == 204
    assert officer.post(f"/petitions/{receipt}/release").status_code == 200
    assert officer.post("/queues/US-BLAINE/claim").status_code == 200
    asked = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "evidence_requested", "message": "Send your degree.",
        "evidence_items": ["Degree"],
        "respond_by": (date.today() + timedelta(days=20)).isoformat()})
    assert asked.status_code == 200
    assert traveler.upload(receipt, "credentials").status_code == 201
    assert traveler.post(f"/petitions/{receipt}/evidence", json={"message": "Attached."}
                         ).status_code == 200
    assert officer.post("/queues/US-BLAINE/claim").status_code == 200
    assert officer.post(f"/petitions/{receipt}/notes", json={"note": SECRET}).status_code == 204
    assert officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "valid_until": (date.today() + timedelta(days=365)).isoformat(),
        "message": "Approved."}).status_code == 200
    return traveler, employer, officer, receipt


def test_internal_notes_never_reach_the_traveler_or_the_employer(decided_case):
    traveler, employer, officer, receipt = decided_case
    for reader in (traveler, employer):
        one = reader.get(f"/petitions/{receipt}")
        listed = reader.get("/petitions")
        assert one.status_code == listed.status_code == 200
        for body in (one.data.decode(), listed.data.decode()):
            assert "watch list" not in body
            assert '"agency"' not in body
            assert "returned to the queue" not in body
        timeline = one.get_json()["timeline"]
        assert [t["status"] for t in timeline] == [
            "submitted", "queued", "in_review", "in_review", "evidence_requested", "queued",
            "in_review", "approved"]
        assert [t["at"] for t in timeline] == sorted(t["at"] for t in timeline)

    history = officer.get(f"/petitions/{receipt}").get_json()["agency"]["history"]
    notes = [h for h in history if h["action"] == "note"]
    assert [n["message"] for n in notes] == [SECRET, SECRET]
    assert all(n["public"] is False for n in notes)
    assert "watch list" in json.dumps(officer.get("/petitions").get_json())


@pytest.mark.parametrize("role", ["employer", "officer"])
def test_a_longer_page_costs_no_more_queries(api, seed, app, role):
    """Statuses, queue positions, estimates and notices are loaded for the whole page at
    once: a page of 12 queued petitions takes as many queries as a page of 3 (an officer's
    page also records its case views)."""

    from traveler_portal.extensions import db
    reader = api("employer", organization="Counted Ltd.") if role == "employer" \
        else api("officer", country="US")
    traveler = seed.user("traveler", organization="Counted Ltd.")
    for _ in range(12):
        seed.queued(traveler)
    with app.app_context():
        engine = db.engine

    def cost(limit):
        with counted(engine) as statements:
            assert reader.get(f"/petitions?limit={limit}").status_code == 200
        return len(statements)

    assert cost(3) == cost(12)
