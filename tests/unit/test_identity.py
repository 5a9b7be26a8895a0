"""Identity before filing, in front of the adjudicator (issue 13, item 1): the profile over
the API, submission refused (fields.profile) until the identity is complete and the
passport covers the stay, an employer's draft waiting on the traveler for it, and the
identity panel of the officers of the case's country (every view audited)."""
from datetime import date, timedelta

import sqlalchemy as sa

from tests.unit.conftest import assert_error
from tests.unit.test_web_auth import sign_in
from traveler_portal.extensions import db
from traveler_portal.models import AuditEntry, Petition, Status, TravelerProfile, User

TODAY = date.today()
IDENTITY = {"given_names": "Amélie Claire", "surname": "Tremblay", "citizenship": "CA",
            "passport_number": "GA 123-4567", "passport_expiry": (TODAY + timedelta(
                days=3000)).isoformat(), "date_of_birth": "1988-03-14",
            "refused_before": False, "refusal_details": "", "language": "fr"}


def ready_draft(seed, email, **options) -> str:
    """A draft with every document, job detail and answer: only identity can stop it."""
    with seed.app.app_context():
        from tests import factories
        traveler = seed._user(email)
        petition = factories.draft(traveler, **options)
        for required in petition.category.required_documents:
            if required.required:
                factories.upload(traveler, petition, required.kind)
        return petition.receipt_number


def audit_actions(app, receipt) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEntry.actor_email, AuditEntry.action)
                                  .join(Petition, Petition.id == AuditEntry.petition_id)
                                  .where(Petition.receipt_number == receipt)
                                  .order_by(AuditEntry.id)).all()
        return [tuple(r) for r in rows]


def test_the_profile_is_read_and_replaced_over_the_api(api, app):
    traveler = api("traveler", identity=False)
    empty = traveler.get("/me/profile").get_json()
    assert empty["complete"] is False and empty["missing"]
    saved = traveler.call("PUT", "/me/profile", json=IDENTITY)
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["complete"] is True and body["missing"] == []
    assert (body["given_names"], body["surname"], body["citizenship"]) == (
        "Amélie Claire", "Tremblay", "CA")
    assert body["passport_number"] == "GA1234567" and body["language"] == "fr"
    assert body["passport_country"] == "CA" and body["refused_before"] is False
    assert traveler.get("/me/profile").get_json() == body
    # Omitting the passport number keeps the one on file.
    kept = traveler.call("PUT", "/me/profile", json={**IDENTITY, "passport_number": None})
    assert kept.get_json()["passport_number"] == "GA1234567"
    # Encrypted at rest: the database holds no clear passport number or birth date.
    with app.app_context():
        raw = db.session.execute(sa.text(
            "SELECT passport_number, date_of_birth FROM traveler_profiles")).one()
    assert "GA1234567" not in raw[0] and "1988" not in raw[1]


def test_each_field_at_fault_is_named_with_the_api_name(api):
    traveler = api("traveler", identity=False)
    error = assert_error(traveler.call("PUT", "/me/profile", json={
        **IDENTITY, "given_names": "", "surname": "", "citizenship": "XX",
        "passport_number": "12", "passport_expiry": "2001-01-01",
        "date_of_birth": (TODAY + timedelta(days=1)).isoformat(), "refused_before": True,
        "refusal_details": "", "language": "de"}), 422, "validation_failed")
    assert set(error["fields"]) == {"given_names", "surname", "citizenship", "passport_number",
                                    "passport_expiry", "date_of_birth", "refusal_details",
                                    "language"}
    error = assert_error(traveler.call("PUT", "/me/profile", json={
        k: v for k, v in IDENTITY.items() if k != "refused_before"}), 422)
    assert set(error["fields"]) == {"refused_before"}
    assert_error(api("officer", country="US").call("PUT", "/me/profile", json=IDENTITY),
                 403, "forbidden")


def test_submission_waits_for_a_complete_identity(api, seed):
    traveler = api("traveler", identity=False)
    receipt = ready_draft(seed, traveler.email)
    error = assert_error(traveler.post(f"/petitions/{receipt}/submit"), 422,
                         "validation_failed")
    assert set(error["fields"]) == {"profile"}
    assert seed.petition(receipt)["status"] == "draft"
    # A passport expiring before the stay ends is not enough either.
    short = {**IDENTITY, "passport_expiry": (TODAY + timedelta(days=60)).isoformat()}
    assert traveler.call("PUT", "/me/profile", json=short).status_code == 200
    error = assert_error(traveler.post(f"/petitions/{receipt}/submit"), 422)
    # (in French: the traveler's stated language answers the API when none is asked for)
    assert set(error["fields"]) == {"profile"} and "expire" in error["fields"]["profile"]
    assert traveler.call("PUT", "/me/profile", json=IDENTITY).status_code == 200
    submitted = traveler.post(f"/petitions/{receipt}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["identity"]["passport_number"] == "GA1234567"


def test_an_employers_draft_waits_on_the_traveler_for_the_identity(api, app, client, seed):
    employer = api("employer", organization="Maple Robotics Ltd.")
    traveler = api("traveler", organization="Maple Robotics Ltd.", identity=False)
    receipt = ready_draft(seed, traveler.email)
    with app.app_context():  # prepared by the employer for the traveler
        row = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == receipt)).one()
        row.created_by_id = db.session.scalars(sa.select(User.id).where(
            User.email == employer.email)).one()
        db.session.commit()
    shown = employer.get(f"/petitions/{receipt}").get_json()
    assert shown["waiting_on"] == "applicant" and "identity" not in shown
    employer_page = app.test_client()
    sign_in(employer_page, employer.email)
    page = employer_page.get(f"/employer/petitions/{receipt}").get_data(as_text=True)
    assert 'id="identity-pending"' in page
    # The traveler's attestation submits it, once their identity is complete.
    sign_in(client, traveler.email)
    review = client.get(f"/my/filing/{receipt}/review").get_data(as_text=True)
    assert 'id="identity-blocker"' in review and f"/my/profile?back={receipt}" in review
    assert "Continue to attest and submit" not in review
    assert_error(traveler.post(f"/petitions/{receipt}/submit"), 422)
    assert traveler.call("PUT", "/me/profile", json=IDENTITY).status_code == 200
    review = client.get(f"/my/filing/{receipt}/review").get_data(as_text=True)
    # (The identity states French, so the page now speaks it: the link, not its words.)
    assert 'id="identity-blocker"' not in review and f"/my/filing/{receipt}/submit" in review
    page = employer_page.get(f"/employer/petitions/{receipt}").get_data(as_text=True)
    assert 'id="identity-pending"' not in page


def test_officers_of_the_country_see_the_identity_and_each_view_is_audited(api, app, client,
                                                                          seed):
    traveler = api("traveler", name="Amélie Tremblay")
    officer, supervisor = api("officer", country="US"), api("supervisor", country="US")
    employer = api("employer")
    receipt = seed.queued(traveler.email)
    with app.app_context():
        passport = db.session.scalars(sa.select(TravelerProfile.passport_number)).one()
    seen = officer.get(f"/petitions/{receipt}").get_json()["identity"]
    assert seen["passport_number"] == passport and seen["citizenship"] == "CA"
    assert seen["name"] == "Amélie Tremblay" and seen["refused_before"] is False
    assert set(seen) >= {"name", "citizenship", "passport_number", "passport_expiry",
                         "date_of_birth", "refused_before", "refusal_details"}
    listed = officer.get("/petitions").get_json()["items"]
    assert listed[0]["identity"]["passport_number"] == passport
    assert "identity" not in supervisor.get(f"/petitions/{receipt}").get_json()
    assert_error(api("officer", country="CA").get(f"/petitions/{receipt}"), 404)
    assert_error(employer.get(f"/petitions/{receipt}"), 404)
    assert traveler.get(f"/petitions/{receipt}").get_json()["identity"]["passport_number"] \
        == passport
    views = [a for a in audit_actions(app, receipt) if a[1] == "identity.view"]
    assert views == [(officer.email, "identity.view")] * 2  # one read, one list

    # The case page: the passport in full for the officer, masked for the supervisor.
    sign_in(client, officer.email)
    page = client.get(f"/officer/cases/{receipt}").get_data(as_text=True)
    assert 'id="identity"' in page and passport in page and "Canada" in page
    other = app.test_client()
    sign_in(other, supervisor.email)
    page = other.get(f"/officer/cases/{receipt}").get_data(as_text=True)
    assert 'id="identity"' in page and passport not in page and f"••••{passport[-4:]}" in page
    views = [a for a in audit_actions(app, receipt) if a[1] == "identity.view"]
    assert views[-2:] == [(officer.email, "identity.view"), (supervisor.email, "identity.view")]


def test_the_identity_panel_lists_earlier_approvals_and_denials(api, app, client, seed):
    traveler = api("traveler")
    officer, supervisor = api("officer", country="US"), api("supervisor", country="US")
    decided = []
    for outcome in ("approved", "denied"):
        receipt = seed.queued(traveler.email)
        assert officer.post("/queues/US-BLAINE/claim").status_code == 200
        body = {"outcome": outcome, "message": "Decided.",
                "valid_until": (TODAY + timedelta(days=300)).isoformat(),
                "reason_codes": ["NOT_ELIGIBLE_CATEGORY"]}
        if outcome == "approved":
            body.pop("reason_codes")
        assert officer.post(f"/petitions/{receipt}/decision", json=body).status_code == 200
        if outcome == "denied":
            assert supervisor.post(f"/petitions/{receipt}/denial-review",
                                   json={"action": "approve"}).status_code == 200
        decided.append(receipt)
    current = seed.queued(traveler.email)
    earlier = officer.get(f"/petitions/{current}").get_json()["identity"]["earlier_decisions"]
    assert {(e["receipt_number"], e["outcome"]) for e in earlier} == {
        (decided[0], "approved"), (decided[1], "denied")}
    sign_in(client, officer.email)
    page = client.get(f"/officer/cases/{current}").get_data(as_text=True)
    panel = page[page.index('id="identity"'):page.index("</section>", page.index('id="identity"'))]
    assert all(receipt in panel for receipt in decided)
    assert "Approved" in panel and "Denied" in panel and "NOT_ELIGIBLE_CATEGORY" in panel


def test_seed_demo_travelers_have_identities_and_their_petitions_file(app, monkeypatch):
    # seed-demo defers the outbox's publishing when no broker answers (none does here):
    # the session's app must not keep that for the tests after this one.
    monkeypatch.setitem(app.config, "OUTBOX_RELAY_DEFERRED", False)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert "submitted and queued" in result.output
        traveler = db.session.scalars(sa.select(User).where(
            User.email == "amelie.tremblay@maple-robotics.example")).one()
        assert traveler.profile.passport_number and traveler.profile.date_of_birth
        statuses = sorted(p.status for p in db.session.scalars(
            sa.select(Petition).where(Petition.traveler_id == traveler.id)))
        # a draft, one filed, one queued, and the approved case ready for the port officer
        assert statuses.count(Status.DRAFT) == 1 and Status.APPROVED in statuses
        assert len(statuses) == 4
        again = app.test_cli_runner().invoke(args=["seed-demo"])
        assert again.exit_code == 0 and "already exist" in again.output


def test_the_identity_shown_on_a_refused_decision_page_is_audited(api, app, seed):
    """A refused form's page is rolled back with its request, but it showed the identity
    panel: that read is recorded all the same, and the refused decision is not."""
    from tests.unit.test_web_auth import csrf_token
    traveler, officer = api("traveler"), api("officer", country="US")
    receipt = seed.queued(traveler.email)
    assert officer.post("/queues/US-BLAINE/claim").status_code == 200
    web = app.test_client()
    sign_in(web, officer.email)
    path = f"/officer/cases/{receipt}"
    token = csrf_token(web, path)  # opening the case: case.view and identity.view
    before = audit_actions(app, receipt)
    refused = web.post(f"{path}/decision", data={"csrf_token": token, "outcome": "denied",
                                                 "message": ""})
    assert refused.status_code == 422 and 'id="identity"' in refused.get_data(as_text=True)
    assert audit_actions(app, receipt)[len(before):] == [(officer.email, "identity.view")]
    assert seed.petition(receipt)["status"] == "in_review"
