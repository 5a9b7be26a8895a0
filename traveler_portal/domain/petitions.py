"""Filing: drafts, submission, withdrawal and answers to requests for evidence."""
import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Category, Country, Petition, Port, Role, Status, User
from ..models.users import utcnow
from . import (
    access,
    evidence,
    evidence_return,
    filing,
    identity,
    organizations,
    routing,
    uow,
    workflow,
)
from .errors import Conflict, Forbidden, ValidationFailed

RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


@dataclass
class DraftInput:
    destination_country: str
    category: Category
    port: Port
    travel_date: date
    job_title: str
    employer_name: str
    traveler: User
    organization_id: str | None
    requested_start: date | None = None
    requested_end: date | None = None
    # The job step's other fields (occupation, duties, worksite, salary, salary_currency)
    # and the category's answers, when the draft is created with them (API).
    job: dict = field(default_factory=dict)
    details: dict | None = None


def new_receipt_number(country: str) -> str:
    """E.g. ``US-2026-7K3M9Q``: country, year, six random characters; unique."""
    while True:
        suffix = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(6))
        number = f"{country}-{utcnow().year}-{suffix}"
        if not db.session.scalar(sa.select(Petition.id).where(Petition.receipt_number == number)):
            return number


@uow.atomic
def create_draft(actor: User, data: DraftInput) -> Petition:
    if actor.role == Role.EMPLOYER:
        organizations.require_org_admin(actor)  # a viewer files nothing
    if data.travel_date < utcnow().date():
        raise ValidationFailed(_("The travel date is in the past."),
                               {"travel_date": _("The travel date cannot be in the past.")})
    petition = Petition(
        receipt_number=new_receipt_number(data.destination_country), status=Status.DRAFT,
        destination_country=Country(data.destination_country), category_id=data.category.id,
        port_id=data.port.id, travel_date=data.travel_date, job_title=data.job_title.strip(),
        employer_name=data.employer_name.strip(), traveler_id=data.traveler.id,
        organization_id=data.organization_id, created_by_id=actor.id, created_at=utcnow(),
        requested_start=data.requested_start, requested_end=data.requested_end)
    errors = {}
    if data.requested_start or data.requested_end:
        errors.update(filing.trip_errors(data.category, data.travel_date,
                                         data.requested_start, data.requested_end))
    if data.job:
        errors.update(filing.job_errors({**data.job, "job_title": data.job_title,
                                         "employer_name": data.employer_name}))
    if data.details is not None:
        errors.update(filing.detail_errors(data.category, data.details))
    if errors:
        raise ValidationFailed(_("Some details are not valid."), errors)
    for name in set(filing.JOB_FIELDS) & set(data.job):
        setattr(petition, name, str(data.job[name] or "").strip())
    names = {q["name"] for q in data.category.extra_fields or []}
    petition.details = {k: v for k, v in (data.details or {}).items() if k in names}
    db.session.add(petition)
    return petition


class StaleDraft(Conflict):
    """The draft changed (another tab, another person) since the form was shown."""


DRAFT_FIELDS = {"category", "port", "travel_date", "requested_start", "requested_end",
                *filing.JOB_FIELDS, "details"}


def _editable_draft(actor: User, receipt_number: str, expected_version) -> Petition:
    petition = access.get_petition(actor, receipt_number, lock=True)
    access.require_editor(actor, petition)
    if petition.status != Status.DRAFT:
        raise Conflict(_("This petition was already submitted; it can no longer be changed."))
    if str(petition.version) != str(expected_version):
        raise StaleDraft(_("This draft was changed in another tab or window after you opened "
                           "this page, so your changes were not saved. The page now shows the "
                           "current details: make your changes again, then save."))
    return petition


@uow.atomic
def update_draft(actor: User, receipt_number: str, changes: dict, expected_version) -> Petition:
    """Save one step of the guided filing. ``expected_version`` is the draft's version the
    form was built from: an older one is refused (``StaleDraft``), never silently saved
    over a later edit. Every saved edit bumps the version."""
    unknown = set(changes) - DRAFT_FIELDS
    if unknown:
        raise ValueError(f"not draft fields: {sorted(unknown)}")
    petition = _editable_draft(actor, receipt_number, expected_version)
    category = changes.get("category") or petition.category
    port = changes.get("port") or petition.port
    errors = {}
    if category.country != petition.destination_country:
        errors["category"] = _("Choose a category of the destination country.")
    if port.country != petition.destination_country:
        errors["port_of_entry"] = _("Choose a port of entry of the destination country.")
    if {"category", "travel_date", "requested_start", "requested_end"} & set(changes):
        errors.update(filing.trip_errors(
            category, changes.get("travel_date", petition.travel_date),
            changes.get("requested_start", petition.requested_start),
            changes.get("requested_end", petition.requested_end)))
    if "details" in changes:
        errors.update(filing.detail_errors(category, changes["details"]))
    if set(filing.JOB_FIELDS) & set(changes):
        errors.update(filing.job_errors(changes))
    if errors:
        raise ValidationFailed(_("Some details are not valid."), errors)
    names = {q["name"] for q in category.extra_fields or []}
    details = changes.get("details", petition.details) or {}
    petition.details = {k: v for k, v in details.items() if k in names}
    petition.category_id, petition.port_id = category.id, port.id
    for name, value in changes.items():
        if name not in ("category", "port", "details"):
            setattr(petition, name, value.strip() if isinstance(value, str) else value)
    petition.version += 1
    return petition


def attest_and_submit(actor: User, receipt_number: str, expected_version) -> Petition:
    """The guided filing's last step: every step complete, the filer's attestation
    recorded, then :func:`submit` (which still refuses missing documents)."""
    petition = _editable_draft(actor, receipt_number, expected_version)
    problems = filing.step_problems(petition)
    if problems:
        raise ValidationFailed(_("Some steps are not complete."),
                               {step: _("This step is not complete.") for step in problems})
    petition.attested_at = utcnow()
    return submit(actor, receipt_number)


def resolve_traveler(actor: User, traveler_email: str | None) -> tuple[User, str | None]:
    """Who the petition is for and which organization follows it."""
    if actor.role == Role.TRAVELER:
        return actor, actor.organization_id
    if actor.role == Role.EMPLOYER and actor.organization_id:
        organizations.require_org_admin(actor)
        email = (traveler_email or "").strip().lower()
        if not email:
            raise ValidationFailed(_("Name the traveler."), {
                "traveler_email": _("Give the email of one of your organization's travelers.")})
        traveler = db.session.scalars(sa.select(User).where(
            User.email == email, User.role == Role.TRAVELER,
            User.organization_id == actor.organization_id)).first()
        if traveler is None:
            raise ValidationFailed(_("Unknown traveler."), {
                "traveler_email": _("No traveler with this email belongs to your organization.")})
        return traveler, actor.organization_id
    raise Forbidden(_("Only travelers and employer admins can file petitions."))


def missing_documents(petition: Petition) -> list:
    on_file = {d.kind for d in petition.documents}
    return [r for r in petition.category.required_documents
            if r.required and r.kind not in on_file]


def _require_complete(petition: Petition) -> None:
    """Refuse (422, every problem at once) a draft missing a required document, a trip
    date, a job detail or answer (keyed by the guided steps' field names), or the
    traveler's complete identity (``profile``: an employer's draft waits on the traveler
    for it)."""
    missing = missing_documents(petition)
    fields = {r.kind: _("%(name)s is required before you submit.", name=r.name)
              for r in missing}
    for step in filing.step_problems(petition).values():
        fields.update(step)
    fields.update(identity.submission_errors(petition))
    if not fields:
        return
    if missing:
        message = _("Required documents are missing: %(names)s.",
                    names=", ".join(r.name for r in missing))
    elif "profile" in fields and len(fields) == 1:
        message = fields["profile"]
    else:
        message = _("Some required details of the petition are missing.")
    raise ValidationFailed(message, fields, missing_documents=[r.kind for r in missing])


@uow.atomic
def submit(actor: User, receipt_number: str) -> Petition:
    petition = access.get_petition(actor, receipt_number, lock=True)
    access.require_editor(actor, petition)
    if petition.status == Status.DRAFT and actor.role == Role.EMPLOYER and \
            petition.attested_at is None:
        # An employer prepares; the employee reviews, completes and attests, which submits.
        raise Conflict(_("The employee must review and attest this petition: it is waiting "
                         "on them, and their attestation submits it."))
    if petition.status == Status.DRAFT:
        _require_complete(petition)
        if petition.travel_date < utcnow().date():
            raise ValidationFailed(_("The travel date is in the past."),
                                   {"travel_date": _("The travel date cannot be in the past.")})
    workflow.apply(petition, "submit", actor)
    petition.submitted_at = utcnow()
    routing.request_routing(petition)
    return petition


@uow.atomic
def withdraw(actor: User, receipt_number: str, reason: str = "") -> Petition:
    petition = access.get_petition(actor, receipt_number, lock=True)
    access.require_traveler(actor, petition)
    workflow.apply(petition, "withdraw", actor, message=reason)
    petition.assigned_officer_id = None
    return petition


@uow.atomic
def respond_to_evidence(actor: User, receipt_number: str, note: str = "",
                        answers: list | None = None) -> Petition:
    """The traveler's one consolidated answer: every item of the request answered with a
    document of the petition (``answers``: a list of ``evidence.Answer``; None for API v1
    clients, whose items take the documents uploaded since the request). The rule lives in
    ``evidence.record_answers``; this is its one entry point."""
    petition = access.get_petition(actor, receipt_number, lock=True)
    access.require_traveler(actor, petition)
    if petition.status == Status.EVIDENCE_REQUESTED:
        staged = evidence.record_answers(actor, petition, petition.evidence_request, answers)
        uow.on_rollback(lambda: evidence.discard(staged))
    ask = petition.evidence_request
    workflow.apply(petition, "evidence_received", actor, message=note)
    petition.assigned_officer_id = None
    evidence_return.keep_for_asker(petition, ask, utcnow())  # back to who asked
    return petition
