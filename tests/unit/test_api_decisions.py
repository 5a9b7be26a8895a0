"""Officers through the API: queues, claims, releases and the rules of a decision."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.unit.conftest import assert_error
from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal.extensions import db
from traveler_portal.models import AdjudicationQueue, Petition

TODAY = date.today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def case(api, seed):
    """A TN petition bound for Blaine, claimed by a US officer."""
    traveler, officer = api("traveler"), api("officer", country="US")
    receipt = seed.queued(traveler.email, category="TN", port="BLAINE")
    claimed = officer.post("/queues/US-BLAINE/claim")
    assert claimed.status_code == 200
    assert claimed.get_json()["receipt_number"] == receipt
    assert claimed.get_json()["status"] == "in_review"
    return traveler, officer, receipt


def test_queues_are_listed_with_their_depth_for_the_officers_country(api, seed):
    traveler = api("traveler")
    seed.queued(traveler.email)
    seed.queued(traveler.email)
    seed.queued(traveler.email, country="CA", category="BV", port="DOUGLAS")
    us = {q["code"]: q for q in api("officer", country="US").get("/queues").get_json()["items"]}
    assert all(q["country"] == "US" for q in us.values())
    assert {"US-TRIAGE", "US-BLAINE"} <= set(us) and "CA-DOUGLAS" not in us
    assert us["US-BLAINE"]["depth"] == 2 and us["US-TRIAGE"]["depth"] == 0
    assert all(set(q) >= {"code", "name", "country", "depth"} for q in us.values())
    ca = api("supervisor", country="CA").get("/queues").get_json()["items"]
    assert {q["code"]: q["depth"] for q in ca}["CA-DOUGLAS"] == 1


def test_claiming_an_empty_queue_answers_204(api):
    response = api("officer", country="US").post("/queues/US-BLAINE/claim")
    assert response.status_code == 204 and response.data == b""


def test_an_officer_cannot_claim_from_the_other_countrys_queue(api, seed):
    seed.queued(seed.user("traveler"), country="CA", category="BV", port="DOUGLAS")
    us_officer = api("officer", country="US")
    assert_error(us_officer.post("/queues/CA-DOUGLAS/claim"), 404, "not_found")
    assert_error(us_officer.post("/queues/NO-SUCH-QUEUE/claim"), 404, "not_found")
    assert api("officer", country="CA").post("/queues/CA-DOUGLAS/claim").status_code == 200


def test_two_officers_never_receive_the_same_petition(api, seed):
    traveler = api("traveler")
    first, second = seed.queued(traveler.email), seed.queued(traveler.email)
    a, b = api("officer", country="US"), api("officer", country="US")
    got = [a.post("/queues/US-BLAINE/claim").get_json()["receipt_number"],
           b.post("/queues/US-BLAINE/claim").get_json()["receipt_number"]]
    assert sorted(got) == sorted([first, second])
    assert a.post("/queues/US-BLAINE/claim").status_code == 204


def test_sooner_travel_is_claimed_first(api, seed):
    traveler = api("traveler")
    seed.queued(traveler.email, days_ahead=60)
    urgent = seed.queued(traveler.email, days_ahead=3)
    claimed = api("officer", country="US").post("/queues/US-BLAINE/claim")
    assert claimed.get_json()["receipt_number"] == urgent


@pytest.mark.parametrize("decision,field", [
    ({"outcome": "denied", "message": "No."}, "reason_codes"),
    ({"outcome": "denied", "message": "No.", "reason_codes": ["MADE_UP"]}, "reason_codes"),
    ({"outcome": "denied", "reason_codes": ["NOT_ELIGIBLE_CATEGORY"]}, "message"),
    ({"outcome": "denied", "reason_codes": ["NOT_ELIGIBLE_CATEGORY"], "message": "  "},
     "message"),
    ({"outcome": "approved"}, "valid_until"),
    ({"outcome": "approved", "valid_until": day(1096)}, "valid_until"),  # TN: 1095 days
    ({"outcome": "approved", "valid_until": day(0)}, "valid_until"),
    ({"outcome": "approved", "valid_until": "someday"}, "valid_until"),
    ({"outcome": "evidence_requested", "respond_by": day(30)}, "evidence_items"),
    ({"outcome": "evidence_requested", "evidence_items": ["Degree"]}, "respond_by"),
    ({"outcome": "evidence_requested", "evidence_items": ["Degree"], "respond_by": day(85)},
     "respond_by"),
    ({"outcome": "evidence_requested", "evidence_items": [" "], "respond_by": day(30)},
     "evidence_items"),
    ({"outcome": "maybe"}, "outcome"),
    ({}, "outcome"),
])
def test_an_incomplete_decision_is_refused_and_changes_nothing(case, seed, decision, field):
    _traveler, officer, receipt = case
    before = seed.petition(receipt)
    error = assert_error(officer.post(f"/petitions/{receipt}/decision", json=decision), 422,
                         "validation_failed")
    assert field in error["fields"], error
    assert seed.petition(receipt) == before
    assert before["status"] == "in_review"


@pytest.mark.parametrize("decision,status", [
    ({"outcome": "approved", "valid_until": day(1095), "message": "Welcome."}, "approved"),
    ({"outcome": "denied", "reason_codes": ["CREDENTIALS_INSUFFICIENT"],
      "message": "The degree is not in engineering."}, "denied"),
    ({"outcome": "evidence_requested", "evidence_items": ["Engineering degree"],
      "respond_by": day(84), "message": "Please send your degree."}, "evidence_requested"),
])
def test_a_complete_decision_at_the_limits_is_recorded(case, api, decision, status):
    traveler, officer, receipt = case
    response = officer.post(f"/petitions/{receipt}/decision", json=decision)
    assert response.status_code == 200, response.get_json()
    if status == "denied":  # four eyes: pending (the traveler sees in review) until approved
        assert response.get_json()["status"] == "denial_pending"
        pending = traveler.get(f"/petitions/{receipt}").get_json()
        assert pending["status"] == "in_review" and pending["decision"] is None
        assert api("supervisor", country="US").post(
            f"/petitions/{receipt}/denial-review", json={"action": "approve"}).status_code == 200
    seen = traveler.get(f"/petitions/{receipt}").get_json()
    assert seen["status"] == status
    if status == "evidence_requested":
        assert seen["evidence_request"] == {**seen["evidence_request"],
                                            "items": ["Engineering degree"],
                                            "respond_by": day(84)}
        assert seen["decision"] is None and seen["decided_at"] is None
    else:
        assert seen["decision"]["outcome"] == status and seen["decided_at"]
        assert seen["decision"]["message"] == decision["message"]
        assert seen["decision"]["reason_codes"] == decision.get("reason_codes", [])
        assert seen["decision"]["valid_until"] == decision.get("valid_until")


def test_deciding_a_petition_the_caller_has_not_claimed_is_a_conflict(case, api, seed):
    traveler, officer, receipt = case
    colleague = api("officer", country="US")
    approval = {"outcome": "approved", "valid_until": day(365)}
    before = seed.petition(receipt)
    assert_error(colleague.post(f"/petitions/{receipt}/decision", json=approval), 409,
                 "conflict")
    unclaimed = seed.queued(traveler.email)
    assert_error(officer.post(f"/petitions/{unclaimed}/decision", json=approval), 409,
                 "conflict")
    assert seed.petition(receipt) == before
    assert seed.petition(unclaimed)["status"] == "queued"


def test_deciding_twice_is_a_conflict(case, seed):
    _traveler, officer, receipt = case
    assert officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "valid_until": day(365)}).status_code == 200
    after_first = seed.petition(receipt)
    assert_error(officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "denied", "reason_codes": ["MISREPRESENTATION"], "message": "No."}), 409,
        "conflict")
    assert seed.petition(receipt) == after_first
    assert after_first["status"] == "approved" and after_first["decisions"] == 1


def test_only_the_claiming_officer_releases(case, api, seed):
    traveler, officer, receipt = case
    before = seed.petition(receipt)
    assert_error(api("officer", country="US").post(f"/petitions/{receipt}/release"), 409,
                 "conflict")
    assert_error(api("officer", country="CA").post(f"/petitions/{receipt}/release"), 404,
                 "not_found")
    assert_error(traveler.post(f"/petitions/{receipt}/release"), 403, "forbidden")
    assert seed.petition(receipt) == before

    released = officer.post(f"/petitions/{receipt}/release")
    assert released.status_code == 200 and released.get_json()["status"] == "queued"
    assert_error(officer.post(f"/petitions/{receipt}/release"), 409, "conflict")
    assert officer.post("/queues/US-BLAINE/claim").get_json()["receipt_number"] == receipt


def test_an_officer_of_the_other_country_cannot_decide(case, api):
    _traveler, _officer, receipt = case
    assert_error(api("officer", country="CA").post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "valid_until": day(30)}), 404, "not_found")


def test_an_answer_to_a_request_for_evidence_needs_a_new_document(case, seed):
    traveler, officer, receipt = case
    assert officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "evidence_requested", "evidence_items": ["Engineering degree"],
        "respond_by": day(30), "message": "Send the degree."}).status_code == 200
    error = assert_error(traveler.post(f"/petitions/{receipt}/evidence"), 422,
                         "validation_failed")
    assert "documents" in error["fields"]
    assert seed.petition(receipt)["status"] == "evidence_requested"

    assert traveler.upload(receipt, "credentials").status_code == 201
    answered = traveler.post(f"/petitions/{receipt}/evidence", json={"message": "Attached."})
    assert answered.status_code == 200 and answered.get_json()["status"] == "queued"
    assert officer.post("/queues/US-BLAINE/claim").get_json()["receipt_number"] == receipt


def test_a_traveler_may_withdraw_while_a_denial_waits_for_its_supervisor(case, api, seed):
    """To the traveler a pending denial is still "in review", so withdrawing works as it
    does for any undecided case, and the supervisor then finds nothing left to confirm."""
    traveler, officer, receipt = case
    assert officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "denied", "reason_codes": ["CREDENTIALS_INSUFFICIENT"],
        "message": "The degree is not in engineering."}).status_code == 200
    withdrawn = traveler.post(f"/petitions/{receipt}/withdraw", json={"reason": "Trip off."})
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert_error(api("supervisor", country="US").post(
        f"/petitions/{receipt}/denial-review", json={"action": "approve"}), 409, "conflict")
    seen = traveler.get(f"/petitions/{receipt}").get_json()
    assert seen["status"] == "withdrawn" and seen["decision"] is None


def test_only_the_officer_who_claimed_the_case_ticks_its_checklist(case, app, seed):
    """Other officers of the country read the checklist; their post is refused and changes
    nothing (not even the version the claiming officer's forms carry)."""
    _traveler, officer, receipt = case
    page = f"/officer/cases/{receipt}"
    other = app.test_client()
    assert sign_in(other, seed.user("officer", country="US")).status_code == 302
    shown = other.get(page).get_data(as_text=True)
    assert "Not checked:" in shown and "Save checklist" not in shown
    before = seed.petition(receipt)
    refused = other.post(f"{page}/checklist", data={
        "csrf_token": csrf_token(other, page), "version": before["version"],
        "checked": ["passport_valid"]}, follow_redirects=True)
    assert "You have not claimed this petition" in refused.get_data(as_text=True)
    assert seed.petition(receipt) == before

    mine = app.test_client()
    assert sign_in(mine, officer.email).status_code == 302
    shown = mine.get(page)
    assert shown.status_code == 200, shown.get_data(as_text=True)[-3000:]
    html = shown.get_data(as_text=True)
    assert "Save checklist" in html and html.count("<form") >= 4
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    saved = mine.post(f"{page}/checklist", data={
        "csrf_token": csrf_token(mine, page), "version": before["version"],
        "checked": ["passport_valid"]}, follow_redirects=True)
    assert "The checklist was saved." in saved.get_data(as_text=True)
    assert seed.petition(receipt)["version"] == before["version"] + 1


def test_a_misfiled_petition_of_the_other_country_is_never_claimed(api, seed, app):
    """Rules keep each country's petitions in its own queues; should a Canadian case land
    in a US queue anyway (a bad data fix, say), US officers still cannot take or list it."""
    receipt = seed.queued(seed.user("traveler"), country="CA", category="BV", port="DOUGLAS")
    with app.app_context():
        blaine = db.session.scalar(sa.select(AdjudicationQueue.id).where(
            AdjudicationQueue.code == "US-BLAINE"))
    seed.execute(sa.update(Petition).where(Petition.receipt_number == receipt)
                 .values(queue_id=blaine))
    officer = api("officer", country="US")
    assert officer.post("/queues/US-BLAINE/claim").status_code == 204
    browser = app.test_client()
    assert sign_in(browser, officer.email).status_code == 302
    assert receipt not in browser.get("/officer/queues/US-BLAINE").get_data(as_text=True)
    assert seed.petition(receipt)["status"] == "queued"
