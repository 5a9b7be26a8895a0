"""What a traveler reads in a decision email: dates and reasons in plain words, and in the
language of their profile, whoever caused the event (the emails themselves go over SMTP
in tests/integration/test_notifications.py)."""
from datetime import date, timedelta

import sqlalchemy as sa
from babel.dates import format_date

from tests import factories
from traveler_portal.domain import profiles
from traveler_portal.extensions import db
from traveler_portal.models import Notification, User

TODAY = date.today()


def _prefers(app, email: str, lang: str) -> None:
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        profiles.save(user, profiles.ProfileInput(
            given_names="Amélie", family_name="Tremblay", date_of_birth=date(1986, 3, 14),
            citizenships=["CA"], passport_number="AB123456", passport_country="CA",
            passport_expiry=TODAY + timedelta(days=900), residence_country="CA",
            preferred_language=lang))


def _email_of(app, email: str, kind: str) -> Notification:
    with app.app_context():
        factories.fan_out_events()  # the events' task, as the notifications worker runs it
        return db.session.scalars(sa.select(Notification).join(User).where(
            User.email == email, Notification.kind == kind)
            .order_by(Notification.id.desc())).first()


def _decided(api, seed, lang: str, decision: dict):
    traveler, officer = api("traveler"), api("officer", country="US")
    _prefers(seed.app, traveler.email, lang)
    receipt = seed.queued(traveler.email)
    assert officer.post("/queues/US-BLAINE/claim").get_json()["receipt_number"] == receipt
    response = officer.post(f"/petitions/{receipt}/decision", json=decision)
    assert response.status_code == 200, response.get_json()
    return traveler, receipt


def test_an_approval_email_gives_its_dates_in_the_travelers_language(api, seed):
    until = TODAY + timedelta(days=400)
    approval = {"outcome": "approved", "valid_until": until.isoformat()}
    english, _ = _decided(api, seed, "en", approval)
    french, _ = _decided(api, seed, "fr", approval)
    body_en = _email_of(seed.app, english.email, "decision").body
    body_fr = _email_of(seed.app, french.email, "decision").body
    assert format_date(until, "long", locale="en") in body_en
    assert format_date(until, "long", locale="fr") in body_fr
    assert until.isoformat() not in body_en + body_fr


def test_a_denial_email_says_each_reason_in_plain_words(api, seed):
    traveler, receipt = _decided(api, seed, "en", {
        "outcome": "denied", "reason_codes": ["CREDENTIALS_INSUFFICIENT"],
        "message": "The licence is from another profession."})
    assert _email_of(seed.app, traveler.email, "decision") is None  # four eyes first
    assert api("supervisor", country="US").post(
        f"/petitions/{receipt}/denial-review", json={"action": "approve"}).status_code == 200
    body = _email_of(seed.app, traveler.email, "decision").body
    assert "Credentials insufficient (CREDENTIALS_INSUFFICIENT)" in body
    assert "does not meet the minimum the profession requires" in body
    assert "another profession" in body


def test_a_request_for_evidence_email_lists_each_item_with_its_why(api, seed):
    respond_by = TODAY + timedelta(days=30)
    traveler, _ = _decided(api, seed, "fr", {
        "outcome": "evidence_requested", "respond_by": respond_by.isoformat(),
        "evidence_items": [{"requirement": "Engineering degree", "kind": "credentials",
                            "reason": "TN engineers need a bachelor's degree in the field."}]})
    body = _email_of(seed.app, traveler.email, "evidence_request").body
    assert "Engineering degree (TN engineers need a bachelor's degree in the field.)" in body
    assert format_date(respond_by, "long", locale="fr") in body
