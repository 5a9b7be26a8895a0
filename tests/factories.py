"""Factory functions for test data, built through the domain services (so the data is
exactly what the product itself would create)."""
import base64
import hashlib
import itertools
import time
from datetime import timedelta
from io import BytesIO

import pyotp
import sqlalchemy as sa

from traveler_portal.domain import (
    accounts,
    documents,
    outbox,
    petitions,
    profiles,
    public_events,
    reference,
    second_factor,
    uow,
)
from traveler_portal.domain.petitions import DraftInput
from traveler_portal.extensions import db
from traveler_portal.models import OutboxMessage, Role
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
         name: str = "", address: str | None = None, password: str = PASSWORD,
         identity: bool = True, port: str | None = None):
    """An account; an agency account is enrolled in the second factor (as its first
    sign-in would make it), with a secret ``otp`` knows; a traveler has a complete
    identity (as filing needs) unless ``identity=False``."""
    role = Role(role)
    if role in (Role.OFFICER, Role.SUPERVISOR, Role.PORT_OFFICER) and country is None:
        country = "US"
    if role == Role.EMPLOYER and organization is None:
        organization = f"Org {next(_seq)} Ltd."
    account = accounts.create_user(address or email(role.value), password, role,
                                   name=name or f"Test {role.value.title()}",
                                   country=country, organization_name=organization,
                                   port_code=port)
    if second_factor.required(account):
        enrol(account)
    if role == Role.TRAVELER and identity:
        words = (name or "").split()  # a given name keeps the passport's name in step
        give_identity(account, **({"given_names": " ".join(words[:-1]),
                                   "family_name": words[-1]} if len(words) > 1 else {}))
    return account


# The second factor in tests: each enrolled account's secret, and the last time step this
# process used a code of it (the portal accepts each step once, so the next sign-in of the
# same account takes the next step's code, or waits for the clock).
_secrets: dict[str, str] = {}
_last_step: dict[str, int] = {}
# A code of the step before is still accepted (clock drift) when this much of the current
# step is left for the request to reach the portal: a third sign-in within a step.
EARLIER_STEP_MARGIN = 10


class StepClock:
    """The second factor's clock when the portal runs in the test's own process
    (tests/unit): the real time, plus whole time steps ``otp`` moves it on by instead of
    waiting for them. Installed as ``second_factor.time`` (only its ``time()`` is read)."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


def totp_secret(address: str) -> str:
    digest = hashlib.sha256(f"test-totp:{address.lower()}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def enrol(account) -> str:
    secret = second_factor.enrol_now(account, totp_secret(account.email))
    _secrets[account.email], _ = secret, _last_step.pop(secret, None)
    return secret


def otp(address: str) -> str | None:
    """A code the portal accepts now for this account (None if not enrolled here): the
    earliest unused one of the previous (when time is left), current and next time steps;
    past that, wait for the clock (or move a StepClock on to that step)."""
    secret = _secrets.get((address or "").strip().lower())
    if secret is None:
        return None
    clock = second_factor.time  # the time module, or a StepClock
    drift, length = second_factor.DRIFT_STEPS, second_factor.STEP_SECONDS
    while True:
        moment = clock.time()
        now = int(moment // length)
        earliest = now - drift if (now + 1) * length - moment > EARLIER_STEP_MARGIN else now
        step = max(earliest, _last_step.get(secret, -1) + 1)
        if step <= now + drift:
            break
        if isinstance(clock, StepClock):
            clock.offset += step * length + 1 - moment  # one second into that step
            continue
        from tests.live import wait_for  # noqa: PLC0415 - live imports this module
        wait_for(lambda step=step: time.time() // length >= step - drift, 40,
                 "the next TOTP time step")
    _last_step[secret] = step
    return pyotp.TOTP(secret).at(step * length)


def identity_input(**changes) -> profiles.ProfileInput:
    today = utcnow().date()
    data = {"given_names": "Alex Jordan", "family_name": "Tremblay",
            "date_of_birth": today.replace(year=today.year - 35, day=1),
            "citizenships": ["CA"], "passport_number": f"AB{next(_seq):07d}",
            "passport_country": "CA", "passport_expiry": today + timedelta(days=8 * 365),
            "residence_country": "CA", "prior_refusals": False}
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


def fan_out_events() -> int:
    """Inside an app context: the fan-out of every public event still waiting for it
    (notifications, people updates, webhook deliveries), run in process as its task on
    the notifications queue would (unit tests have no worker); returns how many ran."""
    rows = db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.args).where(
        OutboxMessage.task_name == public_events.FAN_OUT_TASK,
        OutboxMessage.confirmed_at.is_(None)).order_by(OutboxMessage.id)).all()
    for message_id, args in rows:
        with uow.atomic():
            public_events.fan_out(*args)
            outbox.confirm_with_work(message_id)
    return len(rows)
