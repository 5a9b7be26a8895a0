"""Documents, submission and withdrawal through the API (shared/API.md, Petitions)."""
import hashlib
from io import BytesIO
from pathlib import Path

import pytest

from tests.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES
from tests.unit.conftest import assert_error
from traveler_portal.models import Document


@pytest.fixture
def stored(app, seed):
    """What is kept of uploads: (rows in the database, files in the upload directory)."""
    def snapshot():
        files = sorted(p.name for p in Path(app.config["UPLOAD_DIR"]).glob("*"))
        return seed.count(Document), files
    return snapshot


@pytest.mark.parametrize("data,filename,mime", [
    (PDF_BYTES, "letter.pdf", "application/pdf"),
    (PNG_BYTES, "passport.png", "image/png"),
    (JPEG_BYTES, "passport.jpg", "image/jpeg"),
    (PNG_BYTES, "scan.txt", "image/png"),        # judged by content, not by name
    (PDF_BYTES, "no-extension", "application/pdf"),
])
def test_pdf_png_and_jpeg_are_accepted_by_their_content(app, api, seed, stored, data,
                                                        filename, mime):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    rows, files = stored()
    response = traveler.upload(receipt, "passport", data, filename)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "kind", "filename", "size", "sha256", "uploaded_at"}
    assert body["kind"] == "passport"
    if mime == "application/pdf":  # stored as sent
        assert body["size"] == len(data)
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
    else:  # images are stored re-encoded (uploads_safety): the row describes what is kept
        kept = [p.read_bytes() for p in Path(app.config["UPLOAD_DIR"]).glob("*")
                if p.name not in files]
        assert [hashlib.sha256(k).hexdigest() for k in kept] == [body["sha256"]]
        assert body["size"] == len(kept[0])
    assert body.get("content_type", mime) == mime
    assert stored()[0] == rows + 1 and len(stored()[1]) == len(files) + 1
    listed = traveler.get(f"/petitions/{receipt}").get_json()["documents"]
    assert [(d["id"], d["kind"]) for d in listed] == [(body["id"], "passport")]


@pytest.mark.parametrize("data,filename,status,code", [
    (b"%PDX not really a pdf, just text\n", "letter.pdf", 415, "unsupported_media_type"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image.png", 415, "unsupported_media_type"),
    (b"<html><script>alert(1)</script></html>", "passport.jpg", 415,
     "unsupported_media_type"),
    (b"", "empty.pdf", 422, "validation_failed"),
])
def test_other_content_is_refused_and_nothing_is_kept(api, seed, stored, data, filename,
                                                      status, code):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    before = stored()
    error = assert_error(traveler.upload(receipt, "passport", data, filename), status, code)
    assert "file" in error.get("fields", {})
    assert stored() == before


def test_a_file_over_the_upload_limit_is_refused_with_413(app, api, seed, stored,
                                                          monkeypatch):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", len(PDF_BYTES) + 10)
    before = stored()
    assert_error(traveler.upload(receipt, "passport", PDF_BYTES + b" " * 11), 413,
                 "payload_too_large")
    assert stored() == before
    exactly = traveler.upload(receipt, "passport", PDF_BYTES + b" " * 10)
    assert exactly.status_code == 201, exactly.get_json()


def test_a_body_over_the_request_limit_is_refused_with_413_in_json(app, api, seed, stored,
                                                                   monkeypatch):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    before = stored()
    assert_error(traveler.upload(receipt, "passport", PDF_BYTES + b" " * 4096), 413,
                 "payload_too_large")
    assert stored() == before


def test_an_upload_needs_a_file_and_a_kind(api, seed, stored):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    before = stored()
    no_file = traveler.post(f"/petitions/{receipt}/documents", data={"kind": "passport"},
                            content_type="multipart/form-data")
    assert "file" in assert_error(no_file, 422, "validation_failed")["fields"]
    bad_kind = traveler.upload(receipt, "../../etc/passwd")
    assert "kind" in assert_error(bad_kind, 422, "validation_failed")["fields"]
    assert stored() == before


def test_a_stored_file_keeps_no_part_of_the_clients_path(api, seed):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    response = traveler.post(f"/petitions/{receipt}/documents",
                             content_type="multipart/form-data",
                             data={"kind": "passport",
                                   "file": (BytesIO(PDF_BYTES), "../../../tmp/evil.pdf")})
    assert response.status_code == 201
    assert "/" not in response.get_json()["filename"]
    assert ".." not in response.get_json()["filename"]


def test_submit_names_each_missing_required_document(api, seed):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email, category="TN")
    error = assert_error(traveler.post(f"/petitions/{receipt}/submit"), 422,
                         "validation_failed")
    assert set(error["fields"]) == {"passport", "employer_letter"}  # not the optional one

    assert traveler.upload(receipt, "passport").status_code == 201
    error = assert_error(traveler.post(f"/petitions/{receipt}/submit"), 422,
                         "validation_failed")
    assert set(error["fields"]) == {"employer_letter"}
    assert seed.petition(receipt)["status"] == "draft"

    assert traveler.upload(receipt, "employer_letter", PNG_BYTES, "letter.png").status_code == 201
    submitted = traveler.post(f"/petitions/{receipt}/submit")
    assert submitted.status_code == 200
    body = submitted.get_json()
    assert body["status"] == "submitted" and body["submitted_at"]
    assert [t["status"] for t in body["timeline"]] == ["submitted"]

    assert_error(traveler.post(f"/petitions/{receipt}/submit"), 409, "conflict")
    assert_error(traveler.upload(receipt, "credentials"), 409, "conflict")
    assert seed.petition(receipt)["documents"] == 2


def test_a_ca_category_asks_for_its_own_documents(api, seed):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email, country="CA", category="BV", port="DOUGLAS")
    error = assert_error(traveler.post(f"/petitions/{receipt}/submit"), 422)
    assert set(error["fields"]) == {"passport", "support_letter", "host_invitation"}


@pytest.mark.parametrize("stage", ["draft", "submitted", "queued"])
def test_the_traveler_withdraws_before_a_decision(api, seed, stage):
    traveler = api("traveler")
    receipt = getattr(seed, stage)(traveler.email)
    response = traveler.post(f"/petitions/{receipt}/withdraw", json={"reason": "Trip off."})
    assert response.status_code == 200
    assert response.get_json()["status"] == "withdrawn"
    assert response.get_json()["timeline"][-1]["status"] == "withdrawn"
    assert_error(traveler.post(f"/petitions/{receipt}/withdraw"), 409, "conflict")


def test_no_withdrawal_after_a_decision(api, seed):
    traveler, officer = api("traveler"), api("officer", country="US")
    receipt = seed.queued(traveler.email)
    assert officer.post("/queues/US-BLAINE/claim").status_code == 200
    denied = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "denied", "reason_codes": ["NOT_ELIGIBLE_CATEGORY"],
        "message": "The job is not a USMCA profession."})
    assert denied.status_code == 200
    assert api("supervisor", country="US").post(  # four eyes: the denial becomes final
        f"/petitions/{receipt}/denial-review", json={"action": "approve"}).status_code == 200
    before = seed.petition(receipt)
    assert_error(traveler.post(f"/petitions/{receipt}/withdraw"), 409, "conflict")
    assert seed.petition(receipt) == before
    assert traveler.get(f"/petitions/{receipt}").get_json()["status"] == "denied"


def test_only_the_traveler_withdraws(api, seed):
    employer = api("employer", organization="Maple Robotics Ltd.")
    receipt = seed.draft(seed.user("traveler", organization="Maple Robotics Ltd."))
    assert_error(employer.post(f"/petitions/{receipt}/withdraw"), 403, "forbidden")
    assert seed.petition(receipt)["status"] == "draft"
