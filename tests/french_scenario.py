"""One of everything, for reading the portal in French: a traveler (profile in French) with a
draft, a queued petition, an approval, a confirmed denial and a request for evidence; their
employer; a US officer, supervisor and an administrator, each of whom chose French. Built
through the domain services, in the same database the live server reads."""
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from tests import factories
from traveler_portal.domain import adjudication, casework, languages, profiles, routing
from traveler_portal.domain.adjudication import DecisionInput
from traveler_portal.extensions import db
from traveler_portal.models import Petition, User

ORGANIZATION = "Robotique Érable ltée"


@dataclass
class Scenario:
    emails: dict = field(default_factory=dict)       # role -> email
    receipts: dict = field(default_factory=dict)     # draft/queued/approved/denied/evidence
    queue: str = ""


def _routed(traveler, **options) -> Petition:
    petition = factories.submitted(traveler, **options)
    assert routing.route(petition.id)
    return db.session.get(Petition, petition.id)


def _claimed(officer, traveler, **options) -> str:
    petition = _routed(traveler, **options)
    claimed = adjudication.claim_next(officer, petition.queue.code)
    assert claimed is not None and claimed.id == petition.id
    return petition.receipt_number


def build(app) -> Scenario:
    today = date.today()
    out = Scenario()
    with app.app_context():
        traveler = factories.user("traveler", organization=ORGANIZATION, name="Amélie Tremblay")
        profiles.save(traveler, profiles.ProfileInput(
            given_names="Amélie", family_name="Tremblay", date_of_birth=date(1986, 3, 14),
            citizenships=["CA"], passport_number="AB123456", passport_country="CA",
            passport_expiry=today + timedelta(days=900), residence_country="CA",
            preferred_language="fr"))
        people = {"traveler": traveler,
                  "employer": factories.user("employer", organization=ORGANIZATION,
                                             name="Jordan Lee"),
                  "officer": factories.user("officer", country="US", name="Dana Whitfield"),
                  "supervisor": factories.user("supervisor", country="US", name="Pat Romero"),
                  "admin": factories.user("admin", name="Alex Morin")}
        for person in people.values():
            languages.set_language(person, "fr")
        officer = people["officer"]
        out.receipts["draft"] = factories.draft(traveler).receipt_number
        receipt = _claimed(officer, traveler)
        adjudication.decide(officer, receipt, DecisionInput(
            outcome="approved", valid_until=today + timedelta(days=365),
            message="Bon voyage.", conditions={"employer": ORGANIZATION}))
        out.receipts["approved"] = receipt
        receipt = _claimed(officer, traveler)
        adjudication.decide(officer, receipt, DecisionInput(
            outcome="denied", reason_codes=["NOT_ELIGIBLE_CATEGORY"],
            message="Les fonctions décrites sont celles d'un poste de vente."))
        casework.review_denial(people["supervisor"], receipt, "approve")
        out.receipts["denied"] = receipt
        receipt = _claimed(officer, traveler)
        adjudication.decide(officer, receipt, DecisionInput(
            outcome="evidence_requested", respond_by=today + timedelta(days=20),
            evidence_items=[{"requirement": "Diplôme universitaire",
                             "reason": "Le permis au dossier ne nomme pas le diplôme.",
                             "kind": "credentials"}]))
        out.receipts["evidence"] = receipt
        # One case the officer is working on now.
        out.receipts["in_review"] = _claimed(officer, traveler)
        # One waiting in the queue (made last: the claims above take the oldest first).
        queued = _routed(traveler)
        out.receipts["queued"], out.queue = queued.receipt_number, queued.queue.code
        out.emails = {role: person.email for role, person in people.items()}
    return out


def user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()
