"""Approved cases ready for the port, and travelers with an identity, for the arrival
tests (built through the API and the domain services, as the product builds them)."""
from datetime import date, timedelta

import sqlalchemy as sa

from traveler_portal.domain import profiles
from traveler_portal.domain.profiles import ProfileInput
from traveler_portal.extensions import db
from traveler_portal.models import User
from traveler_portal.models.users import utcnow

PASSPORT, BORN = "CA1234567", date(1985, 3, 14)


def with_identity(app, email: str, passport: str = PASSPORT, born: date = BORN) -> None:
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        profiles.save(user, ProfileInput(
            given_names="Amélie", family_name="Tremblay", date_of_birth=born,
            citizenships=["CA"], passport_number=passport, passport_country="CA",
            passport_expiry=utcnow().date() + timedelta(days=2000),
            residence_country="CA"))
        db.session.commit()


def approved(api, seed, traveler_email: str, country="US", category="TN", port="BLAINE",
             valid_days: int = 365) -> str:
    """A petition of ``traveler_email`` approved by an officer of ``country``."""
    receipt = seed.queued(traveler_email, country=country, category=category, port=port)
    officer = api("officer", country=country)
    queue = f"{country}-{port}" if country == "US" else f"{country}-DOUGLAS"
    claimed = officer.post(f"/queues/{queue}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["receipt_number"] == receipt
    until = (date.today() + timedelta(days=valid_days)).isoformat()
    decided = officer.post(f"/petitions/{receipt}/decision",
                           json={"outcome": "approved", "valid_until": until,
                                 "message": "Approved."})
    assert decided.status_code == 200, decided.get_json()
    return receipt


def inspection(outcome="admitted", minutes: int = 4, **fields) -> dict:
    ended = utcnow().replace(microsecond=0)
    body = {"outcome": outcome,
            "inspection_started_at": (ended - timedelta(minutes=minutes)).isoformat(),
            "inspection_ended_at": ended.isoformat()}
    if outcome == "admitted":
        body["admitted_until"] = (date.today() + timedelta(days=300)).isoformat()
    body.update(fields)
    return body
