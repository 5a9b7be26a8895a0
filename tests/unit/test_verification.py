"""A notice anyone can verify (issue 13, item 3): the notice names the agency, the
traveler as in the passport and the passport's last four characters, and carries a signed
verification code with a QR code of its public page; the page and the API answer from the
code alone, rate-limited; an altered or forged code is unknown."""
import io
from datetime import date, timedelta

import pytest
import segno
import sqlalchemy as sa
from pypdf import PdfReader

from tests.unit.conftest import assert_error
from traveler_portal.domain import verification
from traveler_portal.extensions import db, limiter
from traveler_portal.models import Decision, Petition, Status, User

TODAY = date.today()
PUBLIC_FIELDS = {"status", "outcome", "category", "category_name", "destination_country",
                 "port_of_entry", "port_name", "valid_from", "valid_until", "decided_on",
                 "initials"}


@pytest.fixture
def people(api, seed):
    traveler = api("traveler", name="Émilie Anne Côté")
    return {"traveler": traveler, "officer": api("officer", country="US"),
            "ca_officer": api("officer", country="CA"),
            "supervisor": api("supervisor", country="US")}


def approve(people, seed, port="BLAINE", days=365) -> dict:
    receipt = seed.queued(people["traveler"].email, category="TN", port=port)
    officer = people["officer"]
    queue = officer.get(f"/petitions/{receipt}").get_json()["queue"]["code"]
    assert officer.post(f"/queues/{queue}/claim").status_code == 200
    decided = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "valid_until": (TODAY + timedelta(days=days)).isoformat()})
    assert decided.status_code == 200, decided.get_json()
    return decided.get_json()


def notice_pdf(people, petition) -> bytes:
    url = next(n["url"] for n in petition["notices"] if n["kind"] == "decision")
    response = people["traveler"].get(url.removeprefix("/api/v1"))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    return response.data


def altered(code: str) -> str:
    """One character of the MAC changed to a different symbol (not a read-alike)."""
    i = len(code) - 2
    return code[:i] + ("2" if code[i] != "2" else "3") + code[i + 1:]


def passport_of(app, email) -> str:
    with app.app_context():
        return db.session.scalars(sa.select(User).where(User.email == email)).one() \
            .profile.passport_number


def test_the_notice_names_agency_traveler_passport_and_verification_code(app, people, seed):
    petition = approve(people, seed)
    code = petition["decision"]["verification_code"]
    assert [n["verification_code"] for n in petition["notices"]] == [code]
    text = " ".join(PdfReader(io.BytesIO(notice_pdf(people, petition))).pages[0]
                    .extract_text().split())
    assert "U.S. Customs and Border Protection (CBP)" in text  # the Blaine queue's agency
    assert "Émilie Anne Côté" in text
    assert f"ending in {passport_of(app, people['traveler'].email)[-4:]}" in text
    assert f"Verification code: {code}" in text
    assert f"http://127.0.0.1:5000/verify/{code}" in text.replace(" ", "") or \
        f"/verify/{code}" in text.replace(" ", "")


def test_the_qr_code_on_the_notice_holds_the_verification_url(app, people, seed):
    petition = approve(people, seed)
    code = petition["decision"]["verification_code"]
    page = PdfReader(io.BytesIO(notice_pdf(people, petition))).pages[0]
    [image] = page.images
    picture = image.image.convert("L")
    with app.app_context():
        expected = segno.make(verification.url_for_code(code), error="m")
    # Read the modules back from the image (scale 4, border 2) and compare them with the
    # symbol of the URL: the QR code encodes exactly that URL.
    size = expected.symbol_size(scale=1, border=0)[0]
    assert picture.size[0] == (size + 4) * 4
    modules = [[picture.getpixel(((x + 2) * 4 + 2, (y + 2) * 4 + 2)) < 128
                for x in range(size)] for y in range(size)]
    assert modules == [[bool(m) for m in row] for row in expected.matrix]


def test_the_api_answers_from_the_code_alone_without_personal_data(app, people, seed,
                                                                     anonymous):
    petition = approve(people, seed)
    code = petition["decision"]["verification_code"]
    answer = anonymous.get(f"/verify/{code}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert set(body) == PUBLIC_FIELDS
    assert body["status"] == "valid" and body["outcome"] == "approved"
    assert (body["category"], body["destination_country"], body["port_of_entry"]) == (
        "TN", "US", "BLAINE")
    assert body["valid_until"] == (TODAY + timedelta(days=365)).isoformat()
    assert body["initials"] == "É. A. C."
    raw = answer.get_data(as_text=True)
    for private in ("Côté", people["traveler"].email, petition["receipt_number"],
                    passport_of(app, people["traveler"].email)):
        assert private not in raw
    # Read back from a phone: lower case, spaces, O for 0 and I/L for 1 all still match.
    spoken = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert anonymous.get(f"/verify/{spoken}").get_json() == body


def test_an_altered_or_forged_code_is_unknown(people, seed, anonymous, app):
    petition = approve(people, seed)
    code = petition["decision"]["verification_code"]
    head, _sep, mac = code.partition("-")
    for wrong in (altered(code), f"{head}{head}-{mac}", "ZZ-" + mac, "hello", "0-" + mac):
        assert_error(anonymous.get(f"/verify/{wrong}"), 404, "not_found")
    # Without the server's secret, a code for a real decision cannot be made.
    with app.app_context():
        decision_id = db.session.scalar(sa.select(sa.func.max(Decision.id)))
        app.config["SECRET_KEY"], secret = "someone else's key", app.config["SECRET_KEY"]
        try:
            forged = verification.code_for(db.session.get(Decision, decision_id))
        finally:
            app.config["SECRET_KEY"] = secret
        assert verification.resolve(forged) is None
        assert verification.resolve(code).id == decision_id


def test_the_verification_page_shows_the_status_and_rejects_an_altered_code(people, seed,
                                                                             client):
    petition = approve(people, seed)
    code = petition["decision"]["verification_code"]
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-status="valid"' in html and "É. A. C." in html
    assert "Blaine Peace Arch" in html and "Côté" not in html
    assert page.headers["Cache-Control"] == "no-store"
    unknown = client.get(f"/verify/{altered(code)}")
    assert unknown.status_code == 404
    assert "Unknown verification code" in unknown.get_data(as_text=True)
    # The form sends a typed code to its page.
    typed = client.get(f"/verify?code={code}")
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/verify/{code}")


def test_verification_is_rate_limited(people, seed, anonymous, client, app, monkeypatch):
    code = approve(people, seed)["decision"]["verification_code"]
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_ADDRESS", "3/minute")
    limiter.reset()
    for _ in range(3):
        assert anonymous.get(f"/verify/{code}").status_code == 200
    assert_error(anonymous.get(f"/verify/{code}"), 429, "rate_limited")
    for _ in range(3):
        client.get(f"/verify/{altered(code)}")  # misses count too
    assert client.get(f"/verify/{code}").status_code == 429
    limiter.reset()


def test_public_status_follows_the_case(app, people, seed):
    first = approve(people, seed)
    code = first["decision"]["verification_code"]
    with app.app_context():
        decision = verification.resolve(code)
        assert verification.public_status(decision) == "valid"
        assert verification.public_status(decision, today=TODAY + timedelta(days=366)) == \
            "expired"
        petition = db.session.get(Petition, decision.petition_id)
        petition.status = Status.EXPIRED  # as the expiry sweep leaves it
        db.session.commit()
        assert verification.public_status(verification.resolve(code)) == "expired"
        petition.status = Status.APPROVED
        db.session.commit()
    # A later approval of the same traveler, destination and category replaces it.
    approve(people, seed, port="CHAMPLAIN")
    with app.app_context():
        assert verification.public_status(verification.resolve(code)) == "superseded"


def test_a_denial_is_verifiable_only_once_its_supervisor_confirms_it(app, people, seed,
                                                                      anonymous):
    receipt = seed.queued(people["traveler"].email, category="TN", port="BLAINE")
    officer, supervisor = people["officer"], people["supervisor"]
    assert officer.post("/queues/US-BLAINE/claim").status_code == 200
    assert officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "denied", "reason_codes": ["NOT_ELIGIBLE_CATEGORY"],
        "message": "Not a USMCA profession."}).status_code == 200
    with app.app_context():
        decision = db.session.scalars(sa.select(Decision).join(Petition).where(
            Petition.receipt_number == receipt)).one()
        code = verification.code_for(decision)
    assert people["traveler"].get(f"/petitions/{receipt}").get_json()["decision"] is None
    assert_error(anonymous.get(f"/verify/{code}"), 404, "not_found")  # not public yet
    reviewed = supervisor.post(f"/petitions/{receipt}/denial-review",
                               json={"action": "approve"})
    assert reviewed.status_code == 200, reviewed.get_json()
    shown = people["traveler"].get(f"/petitions/{receipt}").get_json()
    assert shown["decision"]["verification_code"] == code
    body = anonymous.get(f"/verify/{code}").get_json()
    assert (body["status"], body["outcome"], body["valid_until"]) == ("valid", "denied", None)


def test_every_queue_names_its_agency(app):
    from traveler_portal.models import AdjudicationQueue
    from traveler_portal.reference import loader
    reference = {q["code"] for q in loader.read("queues.toml")["queue"]}  # not admin-made
    with app.app_context():
        agencies = {q.code: q.agency for q in db.session.scalars(sa.select(AdjudicationQueue))
                    if q.code in reference}
    assert agencies["US-TRIAGE"] == "USCIS" and agencies["CA-TRIAGE"] == "IRCC"
    assert agencies["US-BLAINE"] == "CBP" and agencies["CA-DOUGLAS"] == "CBSA"
    assert set(agencies.values()) == {"CBP", "USCIS", "CBSA", "IRCC"}
