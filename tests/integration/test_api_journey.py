"""The whole workflow through the JSON API alone, on the live stack: file → route (real
Celery worker) → claim → request evidence → answer → approve → everyone sees it."""
import time
from datetime import date, timedelta

from tests.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES


def wait_for_status(client, receipt, status, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/petitions/{receipt}").json()
        if body["status"] == status:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{receipt} still {body['status']} after {timeout} s, not {status}")


def tn_job(travel_in_days=30) -> dict:
    """The TN's job details and its category's answer, as submission needs them."""
    start = date.today() + timedelta(days=travel_in_days)
    return {"job": {"occupation": "Engineer", "duties": "Designs and inspects bridges.",
                    "worksite": "400 Pine St, Seattle, WA",
                    "salary": {"amount": "98000", "currency": "USD"},
                    "start_date": start.isoformat(),
                    "end_date": (start + timedelta(days=365)).isoformat()},
            "answers": {"usmca_profession": "Engineer"}}


def file_tn_to_blaine(traveler, travel_in_days=30):
    created = traveler.post("/petitions", json={
        "destination_country": "US", "category": "TN", "port_of_entry": "BLAINE",
        "travel_date": (date.today() + timedelta(days=travel_in_days)).isoformat(),
        "job_title": "Structural engineer", "employer_name": "Cascade Bridges Inc.",
        **tn_job(travel_in_days)})
    assert created.status_code == 201, created.text
    return created.json()


def upload(client, receipt, kind, data=PDF_BYTES, filename="doc.pdf"):
    return client.post(f"/petitions/{receipt}/documents", data={"kind": kind},
                       files={"file": (filename, data, "application/octet-stream")})


def test_the_whole_journey_through_the_api(api):
    employer = api("employer", organization="Maple Robotics Ltd.")
    traveler = api("traveler", organization="Maple Robotics Ltd.")
    us_officer = api("officer", country="US")
    ca_officer = api("officer", country="CA")

    draft = file_tn_to_blaine(traveler)
    receipt = draft["receipt_number"]
    assert draft["status"] == "draft"
    assert draft["queue"] is None and draft["decision"] is None
    assert draft["organization"]["name"] == "Maple Robotics Ltd."

    # The category's required documents come from the reference data.
    tn = next(c for c in traveler.get("/countries/US/categories").json()["items"]
              if c["code"] == "TN")
    required = [d["kind"] for d in tn["required_documents"]]
    assert required == ["passport", "employer_letter"]

    refused = traveler.post(f"/petitions/{receipt}/submit")
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"passport", "employer_letter"}

    stored = upload(traveler, receipt, "passport", PNG_BYTES, "passport.png")
    assert stored.status_code == 201, stored.text
    assert stored.json()["size"] > 0 and len(stored.json()["sha256"]) == 64
    assert upload(traveler, receipt, "employer_letter").status_code == 201

    submitted = traveler.post(f"/petitions/{receipt}/submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"

    queued = wait_for_status(traveler, receipt, "queued")
    assert queued["queue"]["code"] == "US-BLAINE"

    queues = {q["code"]: q for q in us_officer.get("/queues").json()["items"]}
    assert queues["US-BLAINE"]["depth"] == 1
    assert all(q["country"] == "CA" for q in ca_officer.get("/queues").json()["items"])
    assert ca_officer.get(f"/petitions/{receipt}").status_code == 404

    claimed = us_officer.post("/queues/US-BLAINE/claim")
    assert claimed.status_code == 200 and claimed.json()["receipt_number"] == receipt
    assert claimed.json()["status"] == "in_review"
    assert us_officer.post("/queues/US-BLAINE/claim").status_code == 204

    us_officer.post(f"/petitions/{receipt}/notes", json={"note": "Degree not on file."})
    rfe = us_officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "evidence_requested", "message": "Please send your degree.",
        "evidence_items": ["Copy of your engineering degree"],
        "respond_by": (date.today() + timedelta(days=30)).isoformat()})
    assert rfe.status_code == 200, rfe.text
    assert rfe.json()["status"] == "evidence_requested"

    seen = traveler.get(f"/petitions/{receipt}").json()
    assert seen["evidence_request"]["items"] == ["Copy of your engineering degree"]
    early = traveler.post(f"/petitions/{receipt}/evidence")
    assert early.status_code == 422 and "documents" in early.json()["error"]["fields"]
    assert upload(traveler, receipt, "credentials", JPEG_BYTES, "degree.jpg").status_code == 201
    answered = traveler.post(f"/petitions/{receipt}/evidence", json={"message": "Attached."})
    assert answered.status_code == 200 and answered.json()["status"] == "queued"

    assert us_officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    valid_until = (date.today() + timedelta(days=365 * 3)).isoformat()
    approved = us_officer.post(f"/petitions/{receipt}/decision",
                               json={"outcome": "approved", "valid_until": valid_until})
    assert approved.status_code == 200, approved.text

    final = traveler.get(f"/petitions/{receipt}").json()
    assert final["status"] == "approved"
    assert final["decision"]["valid_until"] == valid_until
    assert final["decided_at"] is not None
    titles = [e["title"] for e in final["timeline"]]
    assert titles[0] == "Case was received" and titles[-1] == "Case was approved"
    assert "Request for evidence was sent" in titles
    assert "Degree not on file." not in str(final)  # internal notes never leave the agency

    employer_view = employer.get(f"/petitions/{receipt}").json()
    assert employer_view["status"] == "approved"
    assert [p["receipt_number"] for p in employer.get("/petitions").json()["items"]] == [receipt]
    assert "Degree not on file." not in str(employer_view)
    assert ca_officer.get(f"/petitions/{receipt}").status_code == 404
    assert ca_officer.get("/petitions").json()["items"] == []
