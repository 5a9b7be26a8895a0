"""PDF notices over HTTP: one per decision and request for evidence, generated once with
the decision, stored, served unchanged to whoever may see the petition (API and browser),
404 to anyone else; the text read back from the PDF with pypdf."""
import hashlib
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from pypdf import PdfReader

from tests.unit.conftest import assert_error
from tests.unit.test_web_auth import sign_in
from traveler_portal.domain import notices as notice_domain
from traveler_portal.extensions import db
from traveler_portal.models import AuditEntry, Decision, Notice, Petition

TODAY = date.today()
ORG = "Maple Robotique Ltée"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def long_date(d: date) -> str:
    return format_date(d, format="long", locale="en_US")


def stored(app, receipt) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Notice).join(Petition).where(
            Petition.receipt_number == receipt).order_by(Notice.id)).all()
        return [{"id": n.id, "kind": n.kind, "sha256": n.sha256, "size": n.size,
                 "decision_id": n.decision_id,
                 "on_disk": notice_domain.path_of(n).read_bytes()} for n in rows]


@pytest.fixture
def people(api):
    """A traveler and an employer admin of the same organization, US officers, a CA
    officer, another traveler and a US supervisor."""
    return {"traveler": api("traveler", organization=ORG, name="Émilie Côté"),
            "employer": api("employer", organization=ORG),
            "officer": api("officer", country="US"),
            "supervisor": api("supervisor", country="US"),
            "ca_officer": api("officer", country="CA"),
            "stranger": api("traveler")}


def claimed(people, seed, **options) -> str:
    receipt = seed.queued(people["traveler"].email, **options)
    queue = people["officer"].get(f"/petitions/{receipt}").get_json()["queue"]["code"]
    got = people["officer"].post(f"/queues/{queue}/claim")
    assert got.status_code == 200 and got.get_json()["receipt_number"] == receipt
    return receipt


def decide(people, receipt, **decision):
    response = people["officer"].post(f"/petitions/{receipt}/decision", json=decision)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def download(client, url):
    response = client.get(url.removeprefix("/api/v1"))
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    return response


def test_an_approval_notice_carries_the_decision_and_is_served_unchanged(app, people, seed):
    receipt = claimed(people, seed, category="TN", port="YUL-PRECLEARANCE")
    until = TODAY + timedelta(days=365)
    decide(people, receipt, outcome="approved", valid_until=until.isoformat(),
           message="Bon voyage.", conditions={"employer": ORG, "location": "Montréal, QC"})
    listed = people["traveler"].get(f"/petitions/{receipt}").get_json()["notices"]
    assert [n["kind"] for n in listed] == ["decision"]
    url = listed[0]["url"]
    assert url == f"/api/v1/petitions/{receipt}/notices/{listed[0]['id']}"
    assert listed[0]["created_at"]

    first = download(people["traveler"], url)
    second = download(people["traveler"], url)
    by_employer = download(people["employer"], url)
    by_officer = download(people["officer"], url)
    assert first.data == second.data == by_employer.data == by_officer.data
    [row] = stored(app, receipt)
    assert hashlib.sha256(first.data).hexdigest() == row["sha256"]
    assert row["on_disk"] == first.data and row["size"] == len(first.data)

    text = pdf_text(first.data)
    for expected in (receipt, "Émilie Côté", "TN", "USMCA professional",
                     "Montréal-Trudeau International Airport", "United States", "Approved",
                     long_date(TODAY), long_date(until), ORG, "Montréal, QC",
                     "Bon voyage."):
        assert expected in text, (expected, text)
    # Downloads never make another notice.
    assert len(stored(app, receipt)) == 1


def test_a_denial_notice_appears_once_confirmed_with_reasons_and_citations(app, people, seed):
    receipt = claimed(people, seed)
    decide(people, receipt, outcome="denied", reason_codes=["NOT_ELIGIBLE_CATEGORY",
                                                            "TEMPORARY_INTENT_NOT_SHOWN"],
           message="The duties described are those of a sales role.")
    # Four eyes: no notice for anyone while a supervisor has not confirmed the denial.
    assert people["traveler"].get(f"/petitions/{receipt}").get_json()["notices"] == []
    assert people["officer"].get(f"/petitions/{receipt}").get_json()["notices"] == []
    [pending] = stored(app, receipt)
    assert_error(people["traveler"].get(f"/petitions/{receipt}/notices/{pending['id']}"),
                 404, "not_found")
    confirmed = people["supervisor"].post(f"/petitions/{receipt}/denial-review",
                                          json={"action": "approve"})
    assert confirmed.status_code == 200, confirmed.get_json()

    [notice] = people["employer"].get(f"/petitions/{receipt}").get_json()["notices"]
    assert notice["kind"] == "decision" and notice["id"] == pending["id"]
    text = pdf_text(download(people["traveler"], notice["url"]).data)
    for expected in (receipt, "Denied", "NOT_ELIGIBLE_CATEGORY", "Not eligible for the category",
                     "The activity or job you described does not fall within the category "
                     "you applied for.", "8 CFR 214.6; INA 212(a)(7)(A)",
                     "TEMPORARY_INTENT_NOT_SHOWN", "INA 214(b)",
                     "The duties described are those of a sales role."):
        assert expected in text, (expected, text)
    assert "R186/R187" not in text  # the other country's citation


def test_a_canadian_denial_cites_canadian_law(app, api, seed):
    traveler = api("traveler", name="Jordan Lee")
    officer, supervisor = api("officer", country="CA"), api("supervisor", country="CA")
    receipt = seed.queued(traveler.email, country="CA", category="BV", port="DOUGLAS")
    queue = officer.get(f"/petitions/{receipt}").get_json()["queue"]["code"]
    assert officer.post(f"/queues/{queue}/claim").status_code == 200
    assert officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "denied", "reason_codes": ["NOT_ELIGIBLE_CATEGORY"],
        "message": "Work in Canada needs a permit."}).status_code == 200
    assert supervisor.post(f"/petitions/{receipt}/denial-review",
                           json={"action": "approve"}).status_code == 200
    [notice] = traveler.get(f"/petitions/{receipt}").get_json()["notices"]
    text = pdf_text(download(traveler, notice["url"]).data)
    assert "R186/R187; R204(a)" in text and "Canada" in text and "Douglas" in text
    assert "8 CFR 214.6" not in text


def test_a_request_for_evidence_notice_lists_each_item_and_the_deadline(app, people, seed):
    receipt = claimed(people, seed)
    respond_by = TODAY + timedelta(days=30)
    decide(people, receipt, outcome="evidence_requested", respond_by=respond_by.isoformat(),
           message="Please send both.",
           evidence_items=[{"requirement": "Degree certificate",
                            "reason": "The licence on file does not name the degree.",
                            "kind": "credentials"},
                           "Letter from the employer naming the USMCA profession"])
    [notice] = people["traveler"].get(f"/petitions/{receipt}").get_json()["notices"]
    assert notice["kind"] == "evidence_request"
    text = pdf_text(download(people["employer"], notice["url"]).data)
    for expected in (receipt, "Request for evidence", "1. Degree certificate",
                     "The licence on file does not name the degree.",
                     "2. Letter from the employer naming the USMCA profession",
                     long_date(respond_by), "Please send both."):
        assert expected in text, (expected, text)


def test_nobody_else_can_download_a_notice(app, people, seed, anonymous):
    receipt = claimed(people, seed)
    decide(people, receipt, outcome="approved",
           valid_until=(TODAY + timedelta(days=30)).isoformat())
    [notice] = people["traveler"].get(f"/petitions/{receipt}").get_json()["notices"]
    path = notice["url"].removeprefix("/api/v1")
    assert_error(people["stranger"].get(path), 404, "not_found")
    assert_error(people["ca_officer"].get(path), 404, "not_found")
    assert_error(anonymous.get(path), 401, "unauthenticated")
    # A notice id of another petition, or no notice at all, is not found either.
    other = claimed(people, seed)
    assert_error(people["traveler"].get(f"/petitions/{other}/notices/{notice['id']}"), 404)
    assert_error(people["traveler"].get(f"/petitions/{receipt}/notices/999999"), 404)
    assert_error(people["traveler"].get(f"/petitions/{receipt}/notices/x"), 404)


def test_one_notice_per_decision_and_the_list_shows_them_in_batch(app, people, seed):
    receipt = claimed(people, seed)
    decide(people, receipt, outcome="evidence_requested",
           respond_by=(TODAY + timedelta(days=20)).isoformat(),
           evidence_items=["Pay slips for the last three months"])
    assert people["traveler"].upload(receipt, kind="other").status_code == 201
    assert people["traveler"].post(f"/petitions/{receipt}/evidence").status_code == 200
    queue = people["officer"].get(f"/petitions/{receipt}").get_json()["queue"]["code"]
    assert people["officer"].post(f"/queues/{queue}/claim").status_code == 200
    decide(people, receipt, outcome="approved",
           valid_until=(TODAY + timedelta(days=90)).isoformat())
    for _ in range(3):
        detail = people["traveler"].get(f"/petitions/{receipt}").get_json()["notices"]
        for n in detail:
            download(people["traveler"], n["url"])
    rows = stored(app, receipt)
    assert [r["kind"] for r in rows] == ["evidence_request", "decision"]
    assert len({r["decision_id"] for r in rows}) == 2
    listed = people["employer"].get("/petitions").get_json()["items"]
    [mine] = [p for p in listed if p["receipt_number"] == receipt]
    assert mine["notices"] == detail


def test_the_petition_pages_link_the_notices_and_serve_them(app, people, seed, client):
    receipt = claimed(people, seed)
    decide(people, receipt, outcome="approved",
           valid_until=(TODAY + timedelta(days=60)).isoformat(),
           conditions={"employer": ORG, "location": "Montréal, QC"})
    [row] = stored(app, receipt)
    href = f"/petitions/{receipt}/notices/{row['id']}"
    pages = {"traveler": f"/my/petitions/{receipt}",
             "employer": f"/employer/petitions/{receipt}",
             "officer": f"/officer/cases/{receipt}"}
    for role in ("traveler", "employer", "officer"):
        browser = app.test_client()
        assert sign_in(browser, people[role].email).status_code == 302
        page = browser.get(pages[role])
        assert page.status_code == 200, (role, page.status_code)
        html = page.get_data(as_text=True)
        assert "<caption>Notices</caption>" in html and f'href="{href}"' in html, role
        if role != "officer":  # the approval's conditions, in words, beside its validity
            assert "Condition: location</dt><dd>Montréal, QC" in html, role
            assert "Condition: occupation" not in html  # none was set
            assert "status-panel" not in html  # decided: nothing awaited, no queue panel
        pdf = browser.get(href)
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", role
        assert hashlib.sha256(pdf.data).hexdigest() == row["sha256"]
    stranger = app.test_client()
    assert sign_in(stranger, people["stranger"].email).status_code == 302
    assert stranger.get(href).status_code == 404
    assert re.search(r"^/login", client.get(href).headers.get("Location", "")) is not None


def _decided(app, receipt):
    petition = db.session.scalars(sa.select(Petition).where(
        Petition.receipt_number == receipt)).one()
    return petition, petition.final_decision


def test_without_a_unicode_font_the_notice_falls_back_to_the_core_font(
        app, people, seed, monkeypatch):
    receipt = claimed(people, seed, port="YUL-PRECLEARANCE")
    decide(people, receipt, outcome="approved",
           valid_until=(TODAY + timedelta(days=60)).isoformat())
    with app.app_context():
        petition, decision = _decided(app, receipt)
        with_lato = notice_domain.render(decision, petition)
        monkeypatch.setattr(notice_domain, "_font_files", lambda: None)
        fallback = notice_domain.render(decision, petition)
    assert b"Lato" in with_lato and b"Helvetica" in fallback and b"Lato" not in fallback
    for data in (with_lato, fallback):
        text = pdf_text(data)
        assert receipt in text and "Montréal-Trudeau" in text and "Émilie Côté" in text


def test_a_rolled_back_decision_leaves_no_notice_file(app, people, seed):
    receipt = claimed(people, seed)
    decide(people, receipt, outcome="approved",
           valid_until=(TODAY + timedelta(days=60)).isoformat())
    with app.app_context():
        petition, decision = _decided(app, receipt)
        again = Decision(petition_id=petition.id, outcome=decision.outcome,
                         officer_id=decision.officer_id, decided_at=decision.decided_at,
                         valid_from=decision.valid_from, valid_until=decision.valid_until)
        db.session.add(again)
        notice = notice_domain.issue(again, petition)
        path = notice_domain.path_of(notice)
        assert path.is_file()
        db.session.rollback()
        assert not path.exists()
    assert len(stored(app, receipt)) == 1


def _trail(app, receipt) -> list[tuple]:
    with app.app_context():
        return [(e.actor_email, e.action, e.details) for e in db.session.scalars(
            sa.select(AuditEntry).join(Petition).where(Petition.receipt_number == receipt)
            .where(AuditEntry.action.in_(["case.view", "notice.view"])).order_by(AuditEntry.id))]


def test_agency_reads_through_the_api_are_in_the_audit_trail(app, people, seed):
    """An officer reading cases and notices through the API leaves the same trace as in
    the browser; the traveler's and the employer's own reads leave none."""
    receipt = claimed(people, seed)  # the claim helper reads the case once
    decide(people, receipt, outcome="approved",
           valid_until=(TODAY + timedelta(days=90)).isoformat())
    url = people["traveler"].get(f"/petitions/{receipt}").get_json()["notices"][0]["url"]
    download(people["traveler"], url)
    people["employer"].get("/petitions")
    assert people["supervisor"].get("/petitions?limit=5").status_code == 200
    download(people["officer"], url)
    officer, supervisor = people["officer"].email, people["supervisor"].email
    assert _trail(app, receipt) == [
        (officer, "case.view", {"via": "api"}),
        (supervisor, "case.view", {"via": "api list"}),
        (officer, "notice.view", {})]
