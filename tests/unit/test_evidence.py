"""Requests for evidence done right: items with their why, no re-asking for a document on
file, one consolidated answer (new uploads and reuse), overdue requests and the
"no response" sweep back to the officer who asked."""
from datetime import date, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa

from tests import factories
from tests.unit.conftest import assert_error
from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal.domain import evidence
from traveler_portal.extensions import db
from traveler_portal.models import Decision, Event, EvidenceItem, Petition

TODAY = date.today()
WHY_AGAIN = "The letter on file is unsigned and names no salary or duration."


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def case(api, seed):
    """A TN petition (passport and employer letter on file) claimed by a US officer."""
    traveler, officer = api("traveler"), api("officer", country="US")
    receipt = seed.queued(traveler.email, category="TN", port="BLAINE")
    assert officer.post("/queues/US-BLAINE/claim").get_json()["receipt_number"] == receipt
    return traveler, officer, receipt


def ask(officer, receipt, items, respond_by=30):
    return officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "evidence_requested", "message": "Please send these.",
        "evidence_items": items, "respond_by": day(respond_by)})


TWO_ITEMS = [{"requirement": "Engineering degree", "kind": "credentials",
              "reason": "TN engineers need a degree; none is on file."},
             {"requirement": "A signed employer letter", "kind": "employer_letter",
              "reason": WHY_AGAIN}]


def details(client, receipt) -> list:
    return client.get(f"/petitions/{receipt}").get_json()["evidence_request"]["details"]


def document_id(client, receipt, kind) -> str:
    docs = client.get(f"/petitions/{receipt}").get_json()["documents"]
    return next(d["id"] for d in docs if d["kind"] == kind)


def test_a_request_lists_each_item_with_why_and_the_kind_expected(case):
    traveler, officer, receipt = case
    sent = ask(officer, receipt, [*TWO_ITEMS, "Pay stubs for the last three months"])
    assert sent.status_code == 200, sent.get_json()
    seen = traveler.get(f"/petitions/{receipt}").get_json()["evidence_request"]
    assert seen["items"] == ["Engineering degree", "A signed employer letter",
                             "Pay stubs for the last three months"]
    assert [(d["requirement"], d["reason"], d["kind"]) for d in seen["details"]] == [
        ("Engineering degree", "TN engineers need a degree; none is on file.", "credentials"),
        ("A signed employer letter", WHY_AGAIN, "employer_letter"),
        ("Pay stubs for the last three months", "", None)]
    assert all(d["answered_at"] is None and d["document_id"] is None for d in seen["details"])
    assert seen["overdue"] is False and seen["respond_by"] == day(30)


@pytest.mark.parametrize("item,field", [
    ({"requirement": "Passport again", "kind": "passport", "reason": "Blurry."},
     "evidence_items[0].kind"),
    ({"requirement": "Passport again", "kind": "passport"}, "evidence_items[0].reason"),
    ({"requirement": "Degree", "kind": "diploma_scan", "reason": "Needed for TN."},
     "evidence_items[0].kind"),
    ({"requirement": "", "reason": "Needed for TN."}, "evidence_items[0].requirement"),
    (42, "evidence_items"),
])
def test_the_officer_cannot_ask_again_for_a_kind_on_file_without_saying_why(case, seed, item,
                                                                            field):
    _traveler, officer, receipt = case
    before = seed.petition(receipt)
    error = assert_error(ask(officer, receipt, [item]), 422, "validation_failed")
    assert field in error["fields"], error
    assert seed.petition(receipt) == before and seed.count(EvidenceItem) == 0


def test_asking_again_for_a_kind_on_file_needs_a_reason_of_30_characters(case):
    _traveler, officer, receipt = case
    error = assert_error(ask(officer, receipt, [{"requirement": "Passport", "kind": "passport",
                                                 "reason": "Photo page is unreadable."}]),
                         422, "validation_failed")
    assert "already on file" in error["fields"]["evidence_items[0].kind"]
    sent = ask(officer, receipt, [{"requirement": "Passport", "kind": "passport",
                                   "reason": "The photo page on file is cut off at the MRZ."}])
    assert sent.status_code == 200 and sent.get_json()["status"] == "evidence_requested"


def test_one_consolidated_response_with_a_new_upload_and_a_document_on_file(case, seed):
    traveler, officer, receipt = case
    assert ask(officer, receipt, TWO_ITEMS).status_code == 200
    degree, letter = details(traveler, receipt)
    on_file = document_id(traveler, receipt, "employer_letter")
    new = traveler.upload(receipt, "credentials").get_json()["id"]
    answered = traveler.post(f"/petitions/{receipt}/evidence", json={
        "message": "Everything is attached.", "items": [
            {"id": degree["id"], "document_id": new, "note": "B.Eng., McGill 2015"},
            {"id": letter["id"], "document_id": on_file,
             "note": "This letter is signed on page 2."}]})
    assert answered.status_code == 200, answered.get_json()
    body = answered.get_json()
    assert body["status"] == "queued"
    got = {d["id"]: d for d in body["evidence_request"]["details"]}
    assert (got[degree["id"]]["document_id"], got[degree["id"]]["note"]) == \
        (new, "B.Eng., McGill 2015")
    assert got[letter["id"]]["document_id"] == on_file
    assert all(d["answered_at"] for d in got.values())
    assert body["evidence_request"]["responded_at"] and not body["evidence_request"]["overdue"]
    assert seed.petition(receipt)["documents"] == 3  # the letter was reused, not re-uploaded


def test_a_partial_response_is_refused_naming_each_missing_item(case, seed):
    traveler, officer, receipt = case
    assert ask(officer, receipt, TWO_ITEMS).status_code == 200
    degree, letter = details(traveler, receipt)
    new = traveler.upload(receipt, "credentials").get_json()["id"]
    before = seed.petition(receipt)
    error = assert_error(traveler.post(f"/petitions/{receipt}/evidence", json={
        "items": [{"id": degree["id"], "document_id": new}]}), 422, "validation_failed")
    assert set(error["fields"]) == {f"item{letter['id']}_document"}
    assert "A signed employer letter" in error["fields"][f"item{letter['id']}_document"]
    assert seed.petition(receipt) == before
    assert all(d["answered_at"] is None for d in details(traveler, receipt))

    other = seed.draft(traveler.email)
    foreign = traveler.upload(other, "passport").get_json()["id"]
    error = assert_error(traveler.post(f"/petitions/{receipt}/evidence", json={
        "items": [{"id": degree["id"], "document_id": new},
                  {"id": letter["id"], "document_id": foreign}]}), 422, "validation_failed")
    assert "not on file" in error["fields"][f"item{letter['id']}_document"]
    assert seed.petition(receipt) == before


def test_an_api_v1_response_takes_the_documents_uploaded_since_the_request(case, seed):
    traveler, officer, receipt = case
    assert ask(officer, receipt, [*TWO_ITEMS, "Anything else that shows the degree"]
               ).status_code == 200
    traveler.upload(receipt, "credentials")
    error = assert_error(traveler.post(f"/petitions/{receipt}/evidence"), 422,
                         "validation_failed")
    letter = details(traveler, receipt)[1]
    assert "documents" in error["fields"] and f"item{letter['id']}_document" in error["fields"]
    assert seed.petition(receipt)["status"] == "evidence_requested"

    letter_id = traveler.upload(receipt, "employer_letter").get_json()["id"]
    answered = traveler.post(f"/petitions/{receipt}/evidence", json={"message": "Attached."})
    assert answered.status_code == 200 and answered.get_json()["status"] == "queued"
    got = answered.get_json()["evidence_request"]["details"]
    assert got[1]["document_id"] == letter_id and all(d["document_id"] for d in got)


def overdue_request(seed, officer, receipt) -> None:
    assert ask(officer, receipt, TWO_ITEMS).status_code == 200
    seed.execute(sa.update(Decision).where(Decision.petition_id.in_(
        sa.select(Petition.id).where(Petition.receipt_number == receipt)))
        .values(respond_by=TODAY - timedelta(days=1)))


def test_an_overdue_request_goes_back_to_the_officer_marked_no_response(app, case, seed,
                                                                       client):
    traveler, officer, receipt = case
    overdue_request(seed, officer, receipt)
    seen = traveler.get(f"/petitions/{receipt}").get_json()
    assert seen["evidence_request"]["overdue"] is True and seen["status"] == "evidence_requested"
    with app.app_context():
        assert evidence.sweep_deadlines() == 1
        assert evidence.sweep_deadlines() == 0
        petition = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == receipt)).one()
        assert petition.status.value == "in_review"
        assert petition.assigned_officer.email == officer.email
        assert petition.evidence_request.no_response_at is not None
        passed = db.session.scalars(sa.select(Event).where(
            Event.petition_id == petition.id, Event.action == "evidence_deadline_passed")).all()
        assert len(passed) == 1 and passed[0].public
    titles = [e["title"] for e in traveler.get(f"/petitions/{receipt}").get_json()["timeline"]]
    assert "No response to the request for evidence was received by the deadline" in titles

    sign_in(client, officer.email)
    page = client.get(f"/officer/cases/{receipt}").get_data(as_text=True)
    assert "No response" in page and "NO_RESPONSE_TO_EVIDENCE_REQUEST" in page
    denied = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "denied", "reason_codes": ["NO_RESPONSE_TO_EVIDENCE_REQUEST"],
        "message": "No response was received by the deadline."})
    # four eyes: the denial waits for a supervisor before the traveler sees it
    assert denied.status_code == 200 and denied.get_json()["status"] == "denial_pending"


def test_the_travelers_page_flags_an_overdue_request(case, seed, client):
    traveler, officer, receipt = case
    overdue_request(seed, officer, receipt)
    sign_in(client, traveler.email)
    page = client.get(f"/my/petitions/{receipt}").get_data(as_text=True)
    assert "Overdue" in page and WHY_AGAIN in page


def test_the_browser_journey_asks_with_why_and_answers_in_one_response(app, case, seed):
    traveler, officer, receipt = case
    officer_web, traveler_web = app.test_client(), app.test_client()
    sign_in(officer_web, officer.email)
    path = f"/officer/cases/{receipt}"
    rows = {"outcome": "evidence_requested", "respond_by": day(20), "message": "Thanks.",
            "item1_requirement": "Engineering degree", "item1_kind": "credentials",
            "item1_reason": "TN engineers need a degree; none is on file.",
            "item3_requirement": "Employer letter", "item3_kind": "employer_letter",
            "item3_reason": "Unsigned."}
    refused = officer_web.post(f"{path}/decision",
                               data={**rows, "csrf_token": csrf_token(officer_web, path)})
    assert refused.status_code == 422
    assert "already on file" in refused.get_data(as_text=True)
    assert seed.petition(receipt)["status"] == "in_review"
    rows["item3_reason"] = WHY_AGAIN
    sent = officer_web.post(f"{path}/decision",
                            data={**rows, "csrf_token": csrf_token(officer_web, path)})
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    degree, letter = details(traveler, receipt)
    assert (degree["reason"], letter["reason"]) == (
        "TN engineers need a degree; none is on file.", WHY_AGAIN)

    sign_in(traveler_web, traveler.email)
    mine = f"/my/petitions/{receipt}"
    page = traveler_web.get(mine).get_data(as_text=True)
    assert WHY_AGAIN in page and f'name="item{letter["id"]}_document"' in page
    on_file = document_id(traveler, receipt, "employer_letter")
    before = seed.petition(receipt)
    partial = traveler_web.post(f"{mine}/evidence", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(traveler_web, mine), f"item{letter['id']}_document": on_file})
    assert partial.status_code == 422
    assert "Engineering degree" in partial.get_data(as_text=True)
    assert seed.petition(receipt) == before and before["status"] == "evidence_requested"
    answered = traveler_web.post(f"{mine}/evidence", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(traveler_web, mine),
        f"item{degree['id']}_file": (BytesIO(factories.PDF_BYTES), "degree.pdf"),
        f"item{degree['id']}_note": "My B.Eng.",
        f"item{letter['id']}_document": on_file, "note": "All here."})
    assert answered.status_code == 302, answered.get_data(as_text=True)[:2000]
    got = details(traveler, receipt)
    assert got[1]["document_id"] == on_file and got[0]["note"] == "My B.Eng."
    assert seed.petition(receipt)["status"] == "queued"

    # The next officer to open the case sees the request, its why and the answers.
    second = app.test_client()
    next_officer = seed.user("officer", country="US")
    sign_in(second, next_officer)
    case_page = second.get(f"/officer/cases/{receipt}").get_data(as_text=True)
    for text in ("Engineering degree", "TN engineers need a degree; none is on file.",
                 WHY_AGAIN, "degree.pdf", "My B.Eng."):
        assert text in case_page, text
