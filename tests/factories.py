"""Factory functions for test data, built through the domain services (so the data is
exactly what the product itself would create)."""
import itertools
from datetime import timedelta
from io import BytesIO

from traveler_portal.domain import accounts, documents, petitions, profiles, reference
from traveler_portal.domain.petitions import DraftInput
from traveler_portal.models import Role
from traveler_portal.models.users import utcnow

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)

# The smallest files the content sniffer accepts as each type.
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages"
             b"/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5e0b6a70000000049454e44ae426082")
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def email(prefix: str = "user") -> str:
    return f"{prefix}{next(_seq)}@example.test"


def user(role: Role | str = Role.TRAVELER, *, country=None, organization=None,
         name: str = "", address: str | None = None, password: str = PASSWORD,
         identity: bool = True):
    """A new account; a traveler has a complete identity (as filing needs) unless
    ``identity=False``."""
    role = Role(role)
    if role in (Role.OFFICER, Role.SUPERVISOR) and country is None:
        country = "US"
    if role == Role.EMPLOYER and organization is None:
        organization = f"Org {next(_seq)} Ltd."
    created = accounts.create_user(address or email(role.value), password, role,
                                   name=name or f"Test {role.value.title()}", country=country,
                                   organization_name=organization)
    if role == Role.TRAVELER and identity:
        words = (name or "").split()  # a given name keeps the passport's name in step
        give_identity(created, **({"given_names": " ".join(words[:-1]),
                                   "family_name": words[-1]} if len(words) > 1 else {}))
    return created


def identity_input(**changes) -> profiles.ProfileInput:
    today = utcnow().date()
    data = dict(given_names="Alex Jordan", family_name="Tremblay",
                date_of_birth=today.replace(year=today.year - 35, day=1),
                citizenships=["CA"], passport_number=f"AB{next(_seq):07d}",
                passport_country="CA", passport_expiry=today + timedelta(days=8 * 365),
                residence_country="CA", prior_refusals=False)
    data.update(changes)
    return profiles.ProfileInput(**data)


def give_identity(traveler, **changes):
    """A complete identity in the traveler's profile (through the profile service)."""
    return profiles.save(traveler, identity_input(**changes))


# Plausible answers to the categories' own questions (reference data), by question name.
ANSWERS = {"usmca_profession": "Engineer", "cusma_profession": "Engineer",
           "qualifying_employer": "Maple Robotics Ltd.",
           "qualifying_employment_from": "2021-03-01",
           "offer_of_employment_number": "A1234567"}


def job_details(category) -> dict:
    return {"job": {"occupation": "Software engineer", "duties": "Designs control software.",
                    "worksite": "1 Main St, Seattle, WA", "salary": "95000",
                    "salary_currency": "USD"},
            "details": {q["name"]: ANSWERS.get(q["name"], "Yes")
                        for q in category.extra_fields or [] if q.get("required")}}


def draft(traveler, *, country="US", category="TN", port="BLAINE", days_ahead=30,
          actor=None, job_title="Software engineer", employer_name="Cascade Systems Inc.",
          complete: bool = True):
    """A draft; ``complete`` (the default) with the stay's dates, the job details and the
    category's required answers, as submission needs."""
    actor = actor or traveler
    chosen = reference.category(country, category)
    travel = utcnow().date() + timedelta(days=days_ahead)
    extra = {}
    if complete and chosen.channel == "port":  # a trader's draft is refused with dates
        extra = {**job_details(chosen), "requested_start": travel,
                 "requested_end": travel + timedelta(days=180)}
    return petitions.create_draft(actor, DraftInput(
        destination_country=country, category=chosen,
        port=reference.port(country, port), travel_date=travel,
        job_title=job_title, employer_name=employer_name, traveler=traveler,
        organization_id=traveler.organization_id, **extra))


def upload(actor, petition, kind="passport", data: bytes = PDF_BYTES, filename="file.pdf"):
    return documents.add(actor, petition, kind, BytesIO(data), filename)


def submitted(traveler, **kwargs):
    """A draft with every required document, submitted."""
    petition = draft(traveler, **kwargs)
    for required in petition.category.required_documents:
        if required.required:
            upload(traveler, petition, required.kind)
    return petitions.submit(traveler, petition.receipt_number)
