"""Petitions: file, upload documents, submit, read, list, withdraw, answer evidence."""
import sqlalchemy as sa
from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ..domain import (
    access,
    audit,
    documents,
    employer_dashboard,
    evidence,
    filing,
    identity,
    keyset,
    notices,
    petitions,
    reference,
    workflow,
)
from ..domain import status as status_info
from ..domain.errors import ValidationFailed
from ..forms.petition import PetitionForm, draft_input
from ..models import Arrival, Petition, Role, Status, User
from . import organization, petition_input, serializers
from .blueprint import bp
from .helpers import (
    ApiError,
    api_auth,
    form_from_json,
    json_body,
    next_cursor,
    page_args,
    validated,
)

FILERS = (Role.TRAVELER, Role.EMPLOYER)
NEWEST_FIRST = keyset.Order(keyset.Key(Petition.id, descending=True))


# What the detail's JSON reads: the one-row relations (and the traveler's profile, and
# the place in the queue) in the petition's query, the lists in one query each (instead
# of lazy loads and queries one after another).
# (The petition read by its receipt number takes its lists as plain statements,
# access.list_query; the claim's answer, refreshing a petition already loaded, selectinload.)
DETAIL_JOINED = (joinedload(Petition.category), joinedload(Petition.port),
                 joinedload(Petition.traveler).joinedload(User.profile),
                 joinedload(Petition.organization),
                 joinedload(Petition.queue), status_info.WITH_POSITION)
DETAIL_LISTS = {name: access.list_query(getattr(Petition, name))
                for name in ("documents", "decisions", "events")}
DETAIL_OPTIONS = DETAIL_JOINED + tuple(selectinload(getattr(Petition, name))
                                       for name in DETAIL_LISTS)


def _petition_json(p: Petition):
    return jsonify(serializers.petition(p, g.api_user))


TRIP_KEYS = ("destination_country", "category", "port_of_entry", "travel_date")
TOP_KEYS = ("category", "port_of_entry", "travel_date", "job_title", "employer_name")


@bp.post("/petitions")
@api_auth(*FILERS)
def create_petition():
    """Create a draft petition (an employer admin names the traveler), with its job
    details and the category's answers when sent (validated as the guided steps are)."""
    data = json_body()
    form = form_from_json(PetitionForm, {k: v for k, v in data.items()
                                         if k not in ("job", "answers")})
    form.set_country(form.destination_country.data)  # the form's value: a string
    validated(form)
    draft = draft_input(g.api_user, form)
    if petition_input.wants_job(data):
        changes = petition_input.parse(
            data, draft.category, {"job_title": draft.job_title,
                                   "employer_name": draft.employer_name},
            {k: data.get(k) for k in TRIP_KEYS})
        draft.job = {k: v for k, v in changes.items()
                     if k in filing.JOB_FIELDS and k not in ("job_title", "employer_name")}
        draft.details = changes.get("details")
        draft.requested_start = changes.get("requested_start")
        draft.requested_end = changes.get("requested_end")
    try:
        petition = petitions.create_draft(g.api_user, draft)
    except ValidationFailed as exc:
        raise petition_input.renamed(exc) from exc
    return _petition_json(petition), 201


@bp.patch("/petitions/<receipt_number>")
@api_auth(*FILERS)
def update_petition(receipt_number):
    """Change a draft: its trip, job details and answers; what is sent is merged over what
    is stored and validated whole, as the guided steps validate them. ``version``
    (optional) refuses the change (409) if the draft changed since that version."""
    petition = access.get_petition(g.api_user, receipt_number)
    data = json_body()
    country = petition.destination_country.value
    merged = {"destination_country": country, "category": petition.category.code,
              "port_of_entry": petition.port.code, "travel_date": petition.travel_date.isoformat(),
              "job_title": petition.job_title, "employer_name": petition.employer_name,
              **{k: data[k] for k in TOP_KEYS if k in data}}
    changes = {}
    if set(TOP_KEYS) & set(data):
        form = form_from_json(PetitionForm, merged)
        form.set_country(country)
        validated(form)
        merged["job_title"], merged["employer_name"] = form.job_title.data, form.employer_name.data
        changes.update(category=reference.category(country, form.category.data),
                       port=reference.port(country, form.port_of_entry.data),
                       travel_date=form.travel_date.data)
    category = changes.get("category") or petition.category
    force_job = "job_title" in data or "employer_name" in data
    if petition_input.wants_job(data) or force_job:
        stored = {**petition_input.job_values(petition), "job_title": merged["job_title"],
                  "employer_name": merged["employer_name"]}
        changes.update(petition_input.parse(data, category, stored,
                                            {k: merged[k] for k in TRIP_KEYS},
                                            force_job=force_job))
    version = data.get("version", petition.version)
    try:
        petition = petitions.update_draft(g.api_user, receipt_number, changes, version)
    except ValidationFailed as exc:
        raise petition_input.renamed(exc) from exc
    return _petition_json(petition)


@bp.post("/petitions/<receipt_number>/documents")
@api_auth(*FILERS)
def upload_document(receipt_number):
    """Attach one document (multipart: kind, file); judged by its content."""
    petition = access.get_petition(g.api_user, receipt_number)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "validation_failed", _("No file was sent."),
                       {"file": _("Send the document as the multipart field 'file'.")})
    doc = documents.add(g.api_user, petition, request.form.get("kind", ""), upload.stream,
                        upload.filename)
    return jsonify(serializers.document(doc, full=True)), 201


@bp.post("/petitions/<receipt_number>/submit")
@api_auth(*FILERS)
def submit_petition(receipt_number):
    """Submit a draft; it is routed to its adjudication queue in the background. Refused
    (422) while a required document, job detail or answer, or the traveler's identity
    (``profile``) is missing."""
    try:
        return _petition_json(petitions.submit(g.api_user, receipt_number))
    except ValidationFailed as exc:
        raise petition_input.renamed(exc) from exc


@bp.get("/petitions/<receipt_number>")
@api_auth()
def get_petition(receipt_number):
    """One petition the caller may see."""
    petition = access.get_petition(g.api_user, receipt_number, options=DETAIL_JOINED,
                                   lists=DETAIL_LISTS)
    data = serializers.petition(petition, g.api_user)
    if data.get("identity") and g.api_user.is_agency:  # the officer's identity panel
        data["identity"]["earlier_decisions"] = [
            {"receipt_number": p.receipt_number, "category": p.category.code,
             "outcome": p.final_decision.outcome.value,
             "reason_codes": list(p.final_decision.reason_codes or []),
             "decided_at": p.final_decision.decided_at.isoformat(timespec="seconds")}
            for p in identity.earlier_decisions(g.api_user, petition)]
    response = jsonify(data)  # before the commit, which expires what was loaded
    audit.staff_read(g.api_user, "case.view", "petition", receipt_number, petition, via="api")
    return conditional(response)


def conditional(response):
    """An ETag (a hash of the body the caller was just shown), and 304 Not Modified with
    no body when the caller's If-None-Match names it: a client polling many petitions
    downloads and parses only what changed. Hashed from the body, not from the petition's
    version: the body also moves without a new version (the place in the queue, the
    estimate, a document, a notice, an arrival, the caller's language), and a 304 must
    never hide such a change. Only a 200 the caller may read gets one: a petition it may
    not see is a 404 before this, whatever it sends."""
    response.add_etag()  # (Cache-Control stays no-store: web/support/headers.py)
    return response.make_conditional(request)


@bp.get("/petitions")
@api_auth()
def list_petitions():
    """The petitions the caller may see, newest first, a page at a time; employers may
    filter as on their dashboard (country, category, traveler, travel dates)."""
    limit, after = page_args(NEWEST_FIRST)
    query = sa.select(Petition).where(access.visible_filter(g.api_user))
    status = request.args.get("status")
    if status:
        if status not in {s.value for s in Status}:
            raise ApiError(422, "validation_failed", _("Unknown status."), {
                "status": _("Use one of: %(statuses)s",
                            statuses=", ".join(s.value for s in Status))})
        if g.api_user.is_agency:
            query = query.where(Petition.status == status)
        else:  # the agency's internal states are "in_review" to travelers and employers
            query = query.where(Petition.status.in_(
                [s for s in Status if workflow.public_status(s).value == status]))
    if g.api_user.role == Role.EMPLOYER:  # the dashboard's filters (other roles: none)
        query = employer_dashboard.apply_filters(query, organization.petition_filters())
    rows, last = keyset.fetch(query.options(
        selectinload(Petition.documents), selectinload(Petition.decisions),
        selectinload(Petition.events), selectinload(Petition.category),
        selectinload(Petition.port), selectinload(Petition.traveler),
        selectinload(Petition.organization), selectinload(Petition.queue),
        selectinload(Petition.arrivals).selectinload(Arrival.port)),
        NEWEST_FIRST, after, limit, key_of=lambda p: (p.id,), scalars=True)
    infos = status_info.for_petitions(rows, g.api_user)  # batched, not one query per row
    found = notices.for_petitions(rows)
    shown = identity.profiles_for(rows)  # one query, not one per row
    items = [serializers.petition(p, g.api_user, infos[p.id], found[p.id], shown)
             for p in rows]
    audit.staff_case_views(g.api_user, rows, via="api list")  # an officer's page of cases
    audit.staff_views(g.api_user, "identity.view",
                      [p for p in rows if identity.may_see(g.api_user, p)], via="api list")
    return jsonify(items=items, next_cursor=next_cursor(NEWEST_FIRST, last))


@bp.post("/petitions/<receipt_number>/withdraw")
@api_auth(Role.TRAVELER)
def withdraw_petition(receipt_number):
    """Withdraw before a decision."""
    data = request.get_json(silent=True) or {}
    reason = str(data.get("reason") or "")[:2000] if isinstance(data, dict) else ""
    return _petition_json(petitions.withdraw(g.api_user, receipt_number, reason))


@bp.post("/petitions/<receipt_number>/evidence")
@api_auth(Role.TRAVELER)
def answer_evidence(receipt_number):
    """Answer every item of a request for evidence at once (documents uploaded first):
    ``items`` pairs each item id with a document of the petition; without ``items`` (v1)
    each item takes a document uploaded since the request."""
    data = request.get_json(silent=True) or {}
    data = data if isinstance(data, dict) else {}
    note = str(data.get("message") or "")[:5000]
    answers = evidence.answers_from(data.get("items"))
    return _petition_json(petitions.respond_to_evidence(g.api_user, receipt_number, note,
                                                        answers))
