"""Port officers through the API (docs/api.md "Port officers"): lookups by receipt number
and by passport + birth date, warnings, recording an arrival that the traveler and the
employer then read, and the bad input the issue names."""
from datetime import date, timedelta

import sqlalchemy as sa

from tests.unit.arrival_helpers import BORN, PASSPORT, approved, inspection, with_identity
from tests.unit.conftest import assert_error
from traveler_portal.domain import arrivals
from traveler_portal.extensions import db
from traveler_portal.models import (
    Arrival,
    AuditEntry,
    Event,
    Notification,
    Petition,
    TravelerProfile,
    User,
    WebhookDelivery,
)


def _case(api, seed, app, organization="Maple Robotics Ltd."):
    employer = api("employer", organization=organization)
    traveler = api("traveler", organization=organization)
    with_identity(app, traveler.email)
    return employer, traveler, approved(api, seed, traveler.email)


def test_a_port_officer_finds_the_case_by_receipt_and_records_the_admission(api, seed, app):
    employer, traveler, receipt = _case(api, seed, app)
    port = api("port_officer", country="US", port="BLAINE")
    found = port.get(f"/arrivals/lookup?receipt_number={receipt.lower()}")
    assert found.status_code == 200
    [item] = found.get_json()["items"]
    assert item["receipt_number"] == receipt and item["status"] == "approved"
    assert item["warnings"] == []
    assert item["identity"]["passport_number"] == PASSPORT
    assert item["identity"]["date_of_birth"] == BORN.isoformat()
    assert item["decision"]["outcome"] == "approved" and item["arrivals"] == []

    recorded = port.post(f"/petitions/{receipt}/arrivals", json=inspection(note="Quick."))
    assert recorded.status_code == 201, recorded.get_json()
    arrival = recorded.get_json()
    assert arrival["outcome"] == "admitted" and arrival["port_of_entry"] == "BLAINE"
    assert arrival["title"].startswith("Admitted at Blaine Peace Arch, WA on ")
    assert ", until " in arrival["title"]

    for reader in (traveler, employer):
        petition = reader.get(f"/petitions/{receipt}").get_json()
        assert petition["status"] == "approved"  # an arrival is not a status
        [seen] = petition["arrivals"]
        assert {k: seen[k] for k in ("port_of_entry", "outcome", "admitted_until")} == {
            "port_of_entry": "BLAINE", "outcome": "admitted",
            "admitted_until": arrival["admitted_until"]}
        assert petition["timeline"][-1]["title"] == arrival["title"]
        assert "Quick." not in str(petition)  # the note stays with the agency
    assert seed.count(Notification) >= 1
    with app.app_context():
        subjects = db.session.scalars(sa.select(Notification.subject)).all()
        assert any("Admitted at Blaine Peace Arch" in s for s in subjects)
        assert db.session.scalar(sa.select(Event.action).order_by(Event.id.desc())) == \
            "arrival"


def test_a_lookup_by_passport_and_birth_date_uses_the_stored_hash(api, seed, app):
    _employer, _traveler, receipt = _case(api, seed, app)
    with app.app_context():
        stored = db.session.execute(sa.text(
            "SELECT passport_lookup, passport_number FROM traveler_profiles")).one()
    assert len(stored[0]) == 64 and PASSPORT not in stored[1]  # a hash; ciphertext
    port = api("port_officer", country="US")
    found = port.get(f"/arrivals/lookup?passport_number={PASSPORT.lower()}"
                     f"&date_of_birth={BORN.isoformat()}").get_json()["items"]
    assert [p["receipt_number"] for p in found] == [receipt]
    assert found[0]["warnings"] == []


def test_a_wrong_pair_answers_like_an_unknown_one_and_misses_are_throttled(api, seed, app):
    _case(api, seed, app)
    port = api("port_officer", country="US")
    wrong = port.get(f"/arrivals/lookup?passport_number={PASSPORT}&date_of_birth=1985-03-15")
    unknown = port.get("/arrivals/lookup?passport_number=ZZ999999&date_of_birth=1985-03-14")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.get_json() == unknown.get_json() == {"items": [], "next_cursor": None}
    for _ in range(3):
        assert port.get("/arrivals/lookup?passport_number=ZZ1&date_of_birth=1990-01-01"
                        ).status_code == 200
    assert_error(port.get(f"/arrivals/lookup?passport_number={PASSPORT}"
                          f"&date_of_birth={BORN.isoformat()}"), 429, "rate_limited")
    assert seed.count(AuditEntry) >= 5
    with app.app_context():
        misses = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "arrival.lookup_miss")).all()
    assert len(misses) == 5 and all(PASSPORT not in str(m.details) for m in misses)
    # a receipt number still works while passport lookups wait
    assert port.get("/arrivals/lookup?receipt_number=US-2026-NOPE00").status_code == 200


def test_another_countrys_port_officer_never_finds_the_case(api, seed, app):
    _employer, _traveler, receipt = _case(api, seed, app)
    canadian = api("port_officer", country="CA")
    assert canadian.get(f"/arrivals/lookup?receipt_number={receipt}").get_json()["items"] == []
    assert canadian.get(f"/arrivals/lookup?passport_number={PASSPORT}"
                        f"&date_of_birth={BORN.isoformat()}").get_json()["items"] == []
    assert_error(canadian.get(f"/petitions/{receipt}"), 404, "not_found")
    assert_error(canadian.post(f"/petitions/{receipt}/arrivals", json=inspection()), 404,
                 "not_found")


def test_a_port_officer_cannot_decide_and_others_cannot_record(api, seed, app):
    _employer, traveler, receipt = _case(api, seed, app)
    port = api("port_officer", country="US")
    decision = {"outcome": "denied", "reason_codes": ["MISREPRESENTATION"], "message": "x"}
    assert_error(port.post(f"/petitions/{receipt}/decision", json=decision), 403, "forbidden")
    assert_error(port.post("/queues/US-BLAINE/claim"), 403, "forbidden")
    assert_error(port.post(f"/petitions/{receipt}/release"), 403, "forbidden")
    assert_error(traveler.post(f"/petitions/{receipt}/arrivals", json=inspection()), 403)
    assert_error(api("officer", country="US").post(f"/petitions/{receipt}/arrivals",
                                                   json=inspection()), 403)
    assert_error(traveler.get(f"/arrivals/lookup?receipt_number={receipt}"), 403)


def test_a_second_crossing_must_be_asked_for(api, seed, app):
    _employer, traveler, receipt = _case(api, seed, app)
    port = api("port_officer", country="US", port="BLAINE")
    assert port.post(f"/petitions/{receipt}/arrivals", json=inspection()).status_code == 201
    assert [w["code"] for w in port.get(f"/arrivals/lookup?receipt_number={receipt}")
            .get_json()["items"][0]["warnings"]] == ["already_arrived"]
    assert_error(port.post(f"/petitions/{receipt}/arrivals", json=inspection()), 409,
                 "conflict")
    again = port.post(f"/petitions/{receipt}/arrivals",
                      json=inspection("secondary", another_crossing=True))
    assert again.status_code == 201
    assert [a["outcome"] for a in traveler.get(f"/petitions/{receipt}").get_json()
            ["arrivals"]] == ["admitted", "secondary"]


def test_warnings_other_port_and_expired_are_given_and_kept(api, seed, app):
    _employer, _traveler, receipt = _case(api, seed, app)
    port = api("port_officer", country="US", port="BUFFALO-PEACE")
    [item] = port.get(f"/arrivals/lookup?receipt_number={receipt}").get_json()["items"]
    assert [w["code"] for w in item["warnings"]] == ["other_port"]
    recorded = port.post(f"/petitions/{receipt}/arrivals",
                         json=inspection("admitted_other"))
    assert recorded.status_code == 201
    assert [w["code"] for w in recorded.get_json()["warnings"]] == ["other_port"]
    seed.execute(sa.update(Petition).values(status="expired"))
    [item] = port.get(f"/arrivals/lookup?receipt_number={receipt}").get_json()["items"]
    assert [w["code"] for w in item["warnings"]] == ["expired", "other_port",
                                                     "already_arrived"]


def test_bad_arrivals_name_each_field(api, seed, app):
    _employer, _traveler, receipt = _case(api, seed, app)
    port = api("port_officer", country="US", port="BLAINE")
    fields = assert_error(port.post(f"/petitions/{receipt}/arrivals", json={
        "outcome": "admitted", "inspection_started_at": "2026-01-01T10:00"}), 422)["fields"]
    assert set(fields) == {"inspection_started_at"}  # no UTC offset
    fields = assert_error(port.post(f"/petitions/{receipt}/arrivals", json=inspection(
        "refused")), 422)["fields"]
    assert set(fields) == {"reason_code"}
    body = inspection("admitted")
    body.pop("admitted_until")
    body["inspection_ended_at"], body["inspection_started_at"] = \
        body["inspection_started_at"], body["inspection_ended_at"]
    fields = assert_error(port.post(f"/petitions/{receipt}/arrivals", json=body),
                          422)["fields"]
    assert set(fields) == {"admitted_until", "inspection_ended_at"}
    assert_error(port.get("/arrivals/lookup?passport_number=X1"), 422)
    assert_error(port.get("/arrivals/lookup"), 422)
    assert seed.count(Arrival) == 0


def test_an_admission_under_the_category_needs_an_approval(api, seed):
    traveler = api("traveler")
    receipt = seed.queued(traveler.email)
    port = api("port_officer", country="US", port="BLAINE")
    [item] = port.get(f"/arrivals/lookup?receipt_number={receipt}").get_json()["items"]
    assert [w["code"] for w in item["warnings"]] == ["no_decision"]
    fields = assert_error(port.post(f"/petitions/{receipt}/arrivals", json=inspection()),
                          422)["fields"]
    assert set(fields) == {"outcome"}
    assert port.post(f"/petitions/{receipt}/arrivals",
                     json=inspection("admitted_other")).status_code == 201


def test_the_lookup_by_code_answers_nothing_without_verification_codes(api, seed, app):
    _case(api, seed, app)
    port = api("port_officer", country="US")
    assert port.get("/arrivals/lookup?code=NOT-A-CODE").get_json() == {
        "items": [], "next_cursor": None}


def test_the_lookup_hash_follows_the_profile_and_can_be_rebuilt(app, seed):
    email = seed.user("traveler")
    with_identity(app, email)
    with app.app_context():
        from traveler_portal.domain import profile_lookup
        profile = db.session.scalars(sa.select(TravelerProfile)).one()
        first = profile.passport_lookup
        db.session.execute(sa.update(TravelerProfile).values(passport_lookup=None))
        db.session.commit()
        assert profile_lookup.reindex() == 1
        db.session.commit()
        assert db.session.scalar(sa.select(TravelerProfile.passport_lookup)) == first
        assert profile_lookup.user_ids(f" {PASSPORT[:3]}-{PASSPORT[3:]} ", BORN) == \
            [profile.user_id]


def test_the_employers_webhooks_hear_of_the_arrival(api, seed, app):
    employer, _traveler, receipt = _case(api, seed, app)
    with app.app_context():
        from traveler_portal.domain import integrations
        user = db.session.scalars(sa.select(User).where(User.email == employer.email)).one()
        integrations.add_endpoint(user, "https://127.0.0.1:9/hook")
        db.session.commit()
    port = api("port_officer", country="US", port="BLAINE")
    assert port.post(f"/petitions/{receipt}/arrivals",
                     json=inspection("secondary")).status_code == 201
    with app.app_context():
        delivery = db.session.scalars(sa.select(WebhookDelivery).where(
            WebhookDelivery.event_type == "petition.arrival_recorded")).one()
        data = delivery.payload["data"]
    assert data["receipt_number"] == receipt and data["status"] == "approved"
    assert data["arrival"]["outcome"] == "secondary"
    assert data["title"].startswith("Referred to secondary inspection at Blaine Peace Arch")
    assert data["titles"]["en"] == data["title"]  # and the same in French, for a French HR
    assert data["titles"]["fr"].startswith("Renvoyé au contrôle secondaire à ")


def test_the_processing_times_are_recomputed_by_beat(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    entry = next(e for e in schedule.values() if e["task"] == "publishing.processing_times")
    assert entry["options"]["queue"] == "periodic"
    import workers.publishing as tasks
    assert tasks.recompute_processing_times.name == "publishing.processing_times"


def test_an_admission_ends_with_the_approval_at_the_latest(api, seed, app):
    _employer, _traveler, receipt = _case(api, seed, app)
    port = api("port_officer", country="US", port="BLAINE")
    late = inspection(admitted_until=(date.today() + timedelta(days=400)).isoformat())
    fields = assert_error(port.post(f"/petitions/{receipt}/arrivals", json=late),
                          422)["fields"]
    assert set(fields) == {"admitted_until"}


def test_a_scanned_verification_url_gives_its_code():
    assert arrivals.scanned_code(" ABC123 ") == "ABC123"
    assert arrivals.scanned_code("https://portal.example/verify/ABC123") == "ABC123"
    assert arrivals.scanned_code("https://portal.example/verify/ABC123/") == "ABC123"
    assert arrivals.scanned_code("https://portal.example/verify?code=ABC123") == "ABC123"


def test_the_employers_admins_who_asked_for_emails_hear_of_the_arrival(api, seed, app):
    employer, _traveler, receipt = _case(api, seed, app)
    with app.app_context():
        from traveler_portal.domain import people_updates
        admin = db.session.scalars(sa.select(User).where(User.email == employer.email)).one()
        people_updates.set_choice(admin, "immediate")
    port = api("port_officer", country="US", port="BLAINE")
    assert port.post(f"/petitions/{receipt}/arrivals",
                     json=inspection("admitted")).status_code == 201
    with app.app_context():
        note = db.session.scalars(sa.select(Notification).join(User).where(
            User.email == employer.email, Notification.kind == people_updates.KIND)).one()
        assert receipt in note.subject and "Admitted at Blaine Peace Arch" in note.subject
