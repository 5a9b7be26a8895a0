"""Guided filing through the browser's pages (Flask test client): each step validates on
the server (422 with each field's message), the draft is saved at every step and resumed
after signing out, a stale version is refused, missing documents and a missing
attestation block submission, and an early passport expiry is flagged."""
import re
from datetime import date, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa

from tests import factories
from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal.domain import profiles
from traveler_portal.extensions import db
from traveler_portal.models import Document, Petition, Status, User
from traveler_portal.models.users import utcnow

TODAY = utcnow().date()


def day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


TRIP = {"destination_country": "US", "category": "TN", "port_of_entry": "BLAINE",
        "travel_date": day(20), "requested_start": day(21), "requested_end": day(200)}
JOB = {"job_title": "Mechanical engineer", "employer_name": "Cascade Systems Inc.",
       "occupation": "Engineer", "duties": "Designs conveyor systems.",
       "worksite": "100 Pine St, Seattle WA", "salary": "95,000", "salary_currency": "USD",
       "x_usmca_profession": "Engineer"}


def post(client, path, data, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, "/my/"), **data}, **kwargs)


def row(app, receipt) -> dict:
    with app.app_context():
        p = db.session.scalars(sa.select(Petition).where(Petition.receipt_number == receipt)).one()
        return {"status": p.status, "version": p.version, "job_title": p.job_title,
                "details": p.details, "attested_at": p.attested_at,
                "requested_end": p.requested_end, "documents": [d.kind for d in p.documents]}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def traveler(client, seed):
    email = seed.user("traveler")
    assert sign_in(client, email).status_code == 302
    return email


def start(client, **changes) -> str:
    response = post(client, "/my/filing/new?country=US", {**TRIP, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    receipt = re.search(r"/my/filing/([A-Z0-9-]+)/job$", response.headers["Location"]).group(1)
    return receipt


def save_job(app, client, receipt, **changes):
    return post(client, f"/my/filing/{receipt}/job",
                {**JOB, "version": row(app, receipt)["version"], **changes})


def upload(client, receipt, kind, data=factories.PDF_BYTES, name="file.pdf"):
    return post(client, f"/my/filing/{receipt}/documents?kind={kind}",
                {f"{kind}-csrf_token": csrf_token(client, "/my/"),
                 f"{kind}-file": (BytesIO(data), name)}, content_type="multipart/form-data")


def ready(app, client) -> str:
    """A TN draft with the trip and job steps done and the required documents on file."""
    receipt = start(client)
    assert save_job(app, client, receipt).status_code == 302
    for kind in ("passport", "employer_letter"):
        assert upload(client, receipt, kind).status_code == 302
    return receipt


def test_the_trip_step_shows_each_fields_message(app, client, traveler):
    response = post(client, "/my/filing/new?country=US", {"destination_country": "US"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("Choose a category.", "Choose a port of entry.",
                    "Give the travel date.",
                    "Give the date your work starts.",
                    "Give the date your work ends."):
        assert message in page, message
    response = post(client, "/my/filing/new?country=US",
                    {**TRIP, "requested_start": day(-1), "requested_end": day(-2)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The start date cannot be before today." in page
    assert "The end date must be after the start date." in page
    assert count(app, Petition) == 0


def test_trader_and_investor_categories_are_refused_with_where_to_apply(app, client, traveler):
    response = post(client, "/my/filing/new?country=US", {**TRIP, "category": "E1E2"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "decided by a US consulate, not at a port of entry: apply there instead " \
           "(WRONG_CHANNEL)" in page
    assert count(app, Petition) == 0


def test_the_trip_step_creates_the_draft_and_the_job_step_asks_the_category_question(
        app, client, traveler):
    receipt = start(client)
    assert row(app, receipt)["status"] == Status.DRAFT
    page = client.get(f"/my/filing/{receipt}/job").get_data(as_text=True)
    assert "USMCA profession (from the list in Appendix 1603.D.1)" in page
    response = save_job(app, client, receipt, x_usmca_profession="", salary="lots")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Answer this question: USMCA profession" in page
    assert "Give the salary as a number" in page
    assert row(app, receipt)["details"] == {}
    response = save_job(app, client, receipt)
    assert response.headers["Location"].endswith(f"/my/filing/{receipt}/documents")
    saved = row(app, receipt)
    assert saved["details"] == {"usmca_profession": "Engineer"}
    assert saved["job_title"] == "Mechanical engineer"


def test_a_draft_is_resumed_from_the_dashboard_after_signing_out(app, client, seed):
    email = seed.user("traveler")
    sign_in(client, email)
    receipt = start(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/my/")})
    assert client.get("/my/").status_code == 302
    sign_in(client, email)
    dashboard = client.get("/my/").get_data(as_text=True)
    assert f'href="/my/filing/{receipt}"' in dashboard
    assert f"Continue filing {receipt}" in dashboard
    resumed = client.get(f"/my/filing/{receipt}")
    assert resumed.headers["Location"].endswith(f"/my/filing/{receipt}/job")
    assert 'value="Cascade' not in client.get(resumed.headers["Location"]).get_data(as_text=True)
    trip = client.get(f"/my/filing/{receipt}/trip").get_data(as_text=True)
    assert f'value="{day(200)}"' in trip


def test_a_save_from_a_stale_page_is_refused_and_shows_the_current_values(app, client, traveler):
    receipt = start(client)
    stale_version = row(app, receipt)["version"]
    assert save_job(app, client, receipt, job_title="Lead engineer").status_code == 302
    response = post(client, f"/my/filing/{receipt}/job",
                    {**JOB, "job_title": "Junior engineer", "version": stale_version})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "This draft changed in another tab" in page
    assert 'value="Lead engineer"' in page  # the current value, in the form
    assert "Junior engineer" in page  # what the user typed, listed as not saved
    assert row(app, receipt)["job_title"] == "Lead engineer"
    trip = post(client, f"/my/filing/{receipt}/trip",
                {**TRIP, "requested_end": day(100), "version": stale_version})
    assert trip.status_code == 409
    assert row(app, receipt)["requested_end"] == date.fromisoformat(day(200))


def test_each_document_slot_is_explained_and_a_bad_upload_stores_nothing(app, client, traveler):
    receipt = start(client)
    page = client.get(f"/my/filing/{receipt}/documents").get_data(as_text=True)
    assert "A letter from the US employer naming the USMCA profession" in page
    assert 'id="slot-credentials"' in page and "optional" in page
    response = upload(client, receipt, "passport", b"MZ\x90\x00 not a pdf", "passport.exe")
    assert response.status_code == 422
    assert "The file must be a PDF, PNG or JPEG." in response.get_data(as_text=True)
    response = upload(client, receipt, "passport", b"", "empty.pdf")
    assert response.status_code == 422
    assert count(app, Document) == 0
    assert upload(client, receipt, "passport").status_code == 302
    assert row(app, receipt)["documents"] == ["passport"]


def test_missing_documents_block_submission(app, client, traveler):
    receipt = start(client)
    assert save_job(app, client, receipt).status_code == 302
    review = client.get(f"/my/filing/{receipt}/review").get_data(as_text=True)
    assert "You cannot submit yet" in review
    assert "Passport is required before you submit." in review
    assert "Continue to attest and submit" not in review
    response = post(client, f"/my/filing/{receipt}/submit",
                    {"attest": "y", "version": row(app, receipt)["version"]})
    assert response.status_code == 422
    assert "Employer letter is required before you submit." in response.get_data(as_text=True)
    assert row(app, receipt)["status"] == Status.DRAFT


def test_the_attestation_is_required_and_recorded(app, client, traveler):
    receipt = ready(app, client)
    assert "Continue to attest and submit" in \
        client.get(f"/my/filing/{receipt}/review").get_data(as_text=True)
    version = row(app, receipt)["version"]
    response = post(client, f"/my/filing/{receipt}/submit", {"version": version})
    assert response.status_code == 422
    assert "Tick the box to attest before you submit." in response.get_data(as_text=True)
    assert row(app, receipt)["status"] == Status.DRAFT
    # The old one-click submit cannot skip the attestation.
    assert post(client, f"/my/petitions/{receipt}/submit", {}).status_code == 303
    assert row(app, receipt)["status"] == Status.DRAFT
    response = post(client, f"/my/filing/{receipt}/submit", {"attest": "y", "version": version})
    assert response.headers["Location"].endswith(f"/my/petitions/{receipt}")
    saved = row(app, receipt)
    assert saved["status"] == Status.SUBMITTED and saved["attested_at"] is not None


def test_attesting_a_draft_changed_in_another_tab_is_refused(app, client, traveler):
    receipt = ready(app, client)
    version = row(app, receipt)["version"]
    assert save_job(app, client, receipt, job_title="Lead engineer").status_code == 302
    response = post(client, f"/my/filing/{receipt}/submit", {"attest": "y", "version": version})
    assert response.status_code == 303
    assert row(app, receipt)["status"] == Status.DRAFT


def test_a_passport_expiring_before_the_stay_ends_blocks_the_submission(
        app, client, traveler):
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == traveler)).one()
        profiles.save(user, profiles.ProfileInput(
            given_names="Amélie", family_name="Tremblay", date_of_birth=date(1986, 3, 14),
            citizenships=["CA"], passport_number="GA1234567", passport_country="CA",
            passport_expiry=TODAY + timedelta(days=90), residence_country="CA"))
    receipt = ready(app, client)
    blocker = "before the end of the stay"
    review = client.get(f"/my/filing/{receipt}/review").get_data(as_text=True)
    assert blocker in review and "Complete your identity in your profile" in review
    assert "••••4567" in review and "GA1234567" not in review
    attest = client.get(f"/my/filing/{receipt}/submit")
    assert blocker in attest.get_data(as_text=True)
    assert "Submit petition" not in attest.get_data(as_text=True)
    # Refused, not merely warned (shared/API.md: the passport must cover the stay).
    refused = post(client, f"/my/filing/{receipt}/submit",
                   {"attest": "y", "version": row(app, receipt)["version"]})
    assert refused.status_code == 422
    assert row(app, receipt)["status"] == Status.DRAFT
    # A shorter stay that the passport covers clears it.
    post(client, f"/my/filing/{receipt}/trip",
         {**TRIP, "requested_end": day(60), "version": row(app, receipt)["version"]})
    assert blocker not in client.get(f"/my/filing/{receipt}/review").get_data(as_text=True)


def test_employers_still_file_for_their_travelers_on_their_own_page(client, seed):
    sign_in(client, seed.user("employer"))
    page = client.get("/employer/petitions/new?country=US")
    assert page.status_code == 200
    assert "Traveler&#39;s email" in page.get_data(as_text=True) or \
        "Traveler's email" in page.get_data(as_text=True)


def test_the_officer_reads_every_answer_of_the_guided_filing(app, client, traveler, seed):
    receipt = ready(app, client)
    version = row(app, receipt)["version"]
    post(client, f"/my/filing/{receipt}/submit", {"attest": "y", "version": version})
    with app.app_context():
        from traveler_portal.domain import routing
        assert routing.route(db.session.scalars(sa.select(Petition.id).where(
            Petition.receipt_number == receipt)).one())
    officer = app.test_client()
    assert sign_in(officer, seed.user("officer", country="US")).status_code == 302
    page = re.sub(r"\s+", " ", officer.get(f"/officer/cases/{receipt}").get_data(as_text=True))
    for shown in ("Designs conveyor systems.", "100 Pine St, Seattle WA",
                  "Salary per year</dt><dd>$95,000.00</dd>", "Engineer"):
        assert shown in page, shown
