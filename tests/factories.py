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

# Small real files of each accepted type (images must decode: they are re-encoded).
def pdf_bytes() -> bytes:
    """A one-page blank PDF, as a real writer makes it (with its cross-reference table)."""
    from pypdf import PdfWriter  # noqa: PLC0415
    writer, out = PdfWriter(), BytesIO()
    writer.add_blank_page(612, 792)
    writer.write(out)
    return out.getvalue()


PDF_BYTES = pdf_bytes()


def image_bytes(fmt: str, size=(2, 2)) -> bytes:
    from PIL import Image  # noqa: PLC0415 - only image uploads need it
    out = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


PNG_BYTES = image_bytes("PNG")
JPEG_BYTES = image_bytes("JPEG")


def email(prefix: str = "user") -> str:
    return f"{prefix}{next(_seq)}@example.test"


def user(role: Role | str = Role.TRAVELER, *, country=None, organization=None,
         name: str = "", address: str | None = None, password: str = PASSWORD):
    role = Role(role)
    if role in (Role.OFFICER, Role.SUPERVISOR) and country is None:
        country = "US"
    if role == Role.EMPLOYER and organization is None:
        organization = f"Org {next(_seq)} Ltd."
    return accounts.create_user(address or email(role.value), password, role,
                                name=name or f"Test {role.value.title()}", country=country,
                                organization_name=organization)


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
