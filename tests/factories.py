"""Factory functions for test data, built through the domain services (so the data is
exactly what the product itself would create)."""
import itertools
from datetime import timedelta
from io import BytesIO

from traveler_portal.domain import accounts, documents, petitions, reference
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
         port: str | None = None):
    role = Role(role)
    if role in (Role.OFFICER, Role.SUPERVISOR, Role.PORT_OFFICER) and country is None:
        country = "US"
    if role == Role.EMPLOYER and organization is None:
        organization = f"Org {next(_seq)} Ltd."
    return accounts.create_user(address or email(role.value), password, role,
                                name=name or f"Test {role.value.title()}", country=country,
                                organization_name=organization, port_code=port)


def draft(traveler, *, country="US", category="TN", port="BLAINE", days_ahead=30,
          actor=None, job_title="Software engineer", employer_name="Cascade Systems Inc."):
    actor = actor or traveler
    return petitions.create_draft(actor, DraftInput(
        destination_country=country, category=reference.category(country, category),
        port=reference.port(country, port), travel_date=utcnow().date() + timedelta(days=days_ahead),
        job_title=job_title, employer_name=employer_name, traveler=traveler,
        organization_id=traveler.organization_id))


def upload(actor, petition, kind="passport", data: bytes = PDF_BYTES, filename="file.pdf"):
    return documents.add(actor, petition, kind, BytesIO(data), filename)


def submitted(traveler, **kwargs):
    """A draft with every required document, submitted."""
    petition = draft(traveler, **kwargs)
    for required in petition.category.required_documents:
        if required.required:
            upload(traveler, petition, required.kind)
    return petitions.submit(traveler, petition.receipt_number)
