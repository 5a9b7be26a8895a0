"""Demo data for a first look (``flask --app wsgi seed-demo``).

Safe to run again: the accounts are created once, and every run gives them new random
passwords (printed, never stored in clear). The demo petitions are created only while the
demo traveler has none. Everything goes through the domain services, so the data is what
the product itself would create.
"""
import functools
import secrets
from datetime import date, timedelta
from io import BytesIO

import sqlalchemy as sa

from .domain import (
    accounts,
    adjudication,
    documents,
    passwords,
    petitions,
    processing_times,
    profiles,
    reference,
    routing,
    second_factor,
)
from .domain.adjudication import DecisionInput
from .domain.petitions import DraftInput
from .domain.profiles import ProfileInput
from .extensions import db
from .models import Petition, Role, User
from .models.users import utcnow

ORGANIZATION = "Maple Robotics Ltd."
# role, email, name, country (agency), organization
ACCOUNTS = [
    (Role.TRAVELER, "amelie.tremblay@maple-robotics.example", "Amélie Tremblay", None,
     ORGANIZATION),
    (Role.EMPLOYER, "hr@maple-robotics.example", "Jordan Lee", None, ORGANIZATION),
    (Role.OFFICER, "officer.us@cbp.example", "Dana Whitfield (CBP)", "US", None),
    (Role.OFFICER, "officer.ca@cbsa.example", "Marc Gagnon (CBSA)", "CA", None),
    (Role.SUPERVISOR, "supervisor.us@cbp.example", "Pat Romero (CBP)", "US", None),
    # A Canadian officer's denial needs a Canadian supervisor's second look.
    (Role.SUPERVISOR, "supervisor.ca@cbsa.example", "Sylvie Roy (CBSA)", "CA", None),
    (Role.ADMIN, "admin@portal.example", "Portal administrator", None, None),
    # At the border: looks travelers up and records their arrival.
    (Role.PORT_OFFICER, "port.us@cbp.example", "Sam Ortiz (CBP, Blaine)", "US", None),
]
PORTS = {"port.us@cbp.example": "BLAINE"}  # a port officer's own port
# The demo traveler's identity, so a port officer can find her by passport and birth date.
PASSPORT, BORN = "AB123456", date(1988, 4, 12)


@functools.cache
def _blank_pdf() -> bytes:
    # A blank one-page PDF with its cross-reference table: uploads are parsed
    # (domain/uploads_safety.py), and a browser's PDF viewer shows it.
    from pypdf import PdfWriter  # noqa: PLC0415 - heavy; only `seed-demo` writes PDFs
    writer, out = PdfWriter(), BytesIO()
    writer.add_blank_page(612, 792)
    writer.write(out)
    return out.getvalue()


def _account(role, email, name, country, organization) -> tuple[User, str]:
    password = secrets.token_urlsafe(12)
    user = db.session.scalars(sa.select(User).where(User.email == email)).first()
    if user is None:
        user = accounts.create_user(email, password, role, name=name, country=country,
                                    organization_name=organization,
                                    port_code=PORTS.get(email))
    else:
        passwords.set_password(user, password)
    return user, password


def _identity(traveler) -> None:
    """The demo traveler's identity, complete as filing needs it (kept when already there:
    a later run must not undo what someone typed in the profile page)."""
    if profiles.identity_complete(traveler):
        return
    today = utcnow().date()
    profiles.save(traveler, profiles.ProfileInput(
        given_names="Amélie Claire", family_name="Tremblay",
        date_of_birth=today.replace(year=today.year - 34, month=3, day=14),
        citizenships=["CA"], passport_number="GA" + "".join(
            secrets.choice("0123456789") for _ in range(7)),
        passport_country="CA", passport_expiry=today.replace(year=today.year + 8, day=1),
        residence_country="CA", residence_address="1200 Rue Sherbrooke O, Montréal QC",
        prior_refusals=False, preferred_language="en"))


# The job step's details and each category's answers for the demo petitions.
JOB = {"occupation": "Engineer", "duties": "Designs and commissions robotic assembly "
       "cells at the client's plant; trains the plant's technicians.",
       "worksite": "2100 Industrial Pkwy, Detroit, MI", "salary": "112000",
       "salary_currency": "USD"}
ANSWERS = {"TN": {"usmca_profession": "Engineer"},
           "B1": {"after_sales_contract": "Sales contract MR-2026-114 of 3 March 2026"},
           "L1B": {"qualifying_employer": ORGANIZATION,
                   "qualifying_employment_from": "2021-09-01"}}


def _draft(traveler, category, port, days_ahead, job_title):
    travel = utcnow().date() + timedelta(days=days_ahead)
    return petitions.create_draft(traveler, DraftInput(
        destination_country="US", category=reference.category("US", category),
        port=reference.port("US", port), travel_date=travel,
        job_title=job_title, employer_name="Cascade Automation Inc.", traveler=traveler,
        organization_id=traveler.organization_id, requested_start=travel,
        requested_end=travel + timedelta(days=150), job=JOB, details=ANSWERS[category]))


def _file(traveler, petition) -> None:
    """Attest and submit, as the traveler does at the guided filing's last step."""
    db.session.refresh(petition)
    petitions.attest_and_submit(traveler, petition.receipt_number, petition.version)


def _attach(traveler, petition, *kinds):
    for kind in kinds:
        documents.add(traveler, petition, kind, BytesIO(_blank_pdf()), f"{kind}.pdf")


def _petitions(traveler) -> list[str]:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Petition)
                         .where(Petition.traveler_id == traveler.id)):
        return ["demo petitions already exist; left as they are"]
    lines = [_approved(traveler)]
    queued = _draft(traveler, "TN", "BLAINE", 12, "Robotics engineer")
    _attach(traveler, queued, "passport", "employer_letter", "credentials")
    _file(traveler, queued)
    # Routed here as well as by the worker, so the officer's queue has it even before a
    # worker runs (routing twice changes nothing).
    routing.route(queued.id)
    lines.append(f"petition {queued.receipt_number}: TN to Blaine, submitted and queued")

    received = _draft(traveler, "B1", "YVR-PRECLEARANCE", 40, "Field service technician")
    _attach(traveler, received, "passport", "employer_letter")
    _file(traveler, received)
    lines.append(f"petition {received.receipt_number}: B-1 via Vancouver preclearance, "
                 "submitted (the worker routes it)")

    draft = _draft(traveler, "L1B", "DETROIT-AMBASSADOR", 60, "Controls specialist")
    _attach(traveler, draft, "passport")
    lines.append(f"petition {draft.receipt_number}: L-1B draft, documents missing")
    return lines


def _identity(traveler) -> None:
    if profiles.get(traveler) is None:
        profiles.save(traveler, ProfileInput(
            given_names="Amélie", family_name="Tremblay", date_of_birth=BORN,
            citizenships=["CA"], passport_number=PASSPORT, passport_country="CA",
            passport_expiry=utcnow().date() + timedelta(days=5 * 365),
            residence_country="CA", preferred_language="en"))


def _approved(traveler) -> str:
    """A TN to Blaine approved by the US officer: ready to be inspected at the port."""
    officer = db.session.scalars(sa.select(User).where(
        User.email == "officer.us@cbp.example")).one()
    approved = _draft(traveler, "TN", "BLAINE", 5, "Robotics engineer")
    _attach(traveler, approved, "passport", "employer_letter", "credentials")
    _file(traveler, approved)
    routing.route(approved.id)
    claimed = adjudication.claim_next(officer, db.session.get(Petition, approved.id).queue.code)
    adjudication.decide(officer, claimed.receipt_number, DecisionInput(
        outcome="approved", message="Approved as a USMCA professional (engineer).",
        valid_until=utcnow().date() + timedelta(days=365),
        conditions={"employer": "Cascade Automation Inc.", "occupation": "Engineer"}))
    return (f"petition {claimed.receipt_number}: TN to Blaine, approved; ready for the "
            f"port officer (passport {PASSPORT}, born {BORN.isoformat()})")


def seed() -> list[str]:
    """Create or refresh the demo accounts and petitions; returns the lines to print."""
    lines = ["Demo accounts (passwords and agency accounts' TOTP secrets are new on every "
             "run):"]
    traveler = None
    for role, email, name, country, organization in ACCOUNTS:
        user, password = _account(role, email, name, country, organization)
        traveler = user if role == Role.TRAVELER else traveler
        where = f" ({country})" if country else (f" – {organization}" if organization else "")
        lines.append(f"  {role.value:<12} {email:<42} {password}{where}")
        if second_factor.required(user):
            # Agency accounts sign in with a second factor: a new authenticator secret
            # on every run, to add to an authenticator app (or `oathtool --totp -b`).
            lines.append(f"  {'':<12} {'':<42} TOTP secret {second_factor.enrol_now(user)}")
    _identity(traveler)
    lines += [f"  {line}" for line in _petitions(traveler)]
    # The public processing times page, from the decisions just made (beat recomputes it
    # hourly afterwards).
    lines.append(f"  processing times published for {processing_times.recompute()} "
                 "queue/category pairs")
    return lines
