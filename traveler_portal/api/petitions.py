"""Petitions: file, upload documents, submit, read, list, withdraw, answer evidence."""
import sqlalchemy as sa
from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..domain import access, audit, documents, evidence, notices, petitions, workflow
from ..domain import employer_dashboard
from ..domain import status as status_info
from ..extensions import db
from ..forms.petition import PetitionForm, draft_input
from ..models import Arrival, Petition, Role, Status
from . import organization, serializers
from .blueprint import bp
from .helpers import (ApiError, api_auth, encode_cursor, form_from_json, json_body, page_args,
                      validated)

FILERS = (Role.TRAVELER, Role.EMPLOYER)


def _petition_json(p: Petition):
    return jsonify(serializers.petition(p, g.api_user))


@bp.post("/petitions")
@api_auth(*FILERS)
def create_petition():
    """Create a draft petition (an employer admin names the traveler)."""
    data = json_body()
    form = form_from_json(PetitionForm, data)
    form.set_country(data.get("destination_country"))
    validated(form)
    petition = petitions.create_draft(g.api_user, draft_input(g.api_user, form))
    return _petition_json(petition), 201


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
    """Submit a draft; it is routed to its adjudication queue in the background."""
    return _petition_json(petitions.submit(g.api_user, receipt_number))


@bp.get("/petitions/<receipt_number>")
@api_auth()
def get_petition(receipt_number):
    """One petition the caller may see."""
    petition = access.get_petition(g.api_user, receipt_number)
    response = _petition_json(petition)  # before the commit, which expires what was loaded
    audit.staff_read(g.api_user, "case.view", "petition", receipt_number, petition, via="api")
    return response


@bp.get("/petitions")
@api_auth()
def list_petitions():
    """The petitions the caller may see, newest first, a page at a time; employers may
    filter as on their dashboard (country, category, traveler, travel dates)."""
    limit, after = page_args()
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
    if after is not None:
        query = query.where(Petition.id < after)
    rows = db.session.scalars(query.order_by(Petition.id.desc()).limit(limit + 1).options(
        selectinload(Petition.documents), selectinload(Petition.decisions),
        selectinload(Petition.events), selectinload(Petition.category),
        selectinload(Petition.port), selectinload(Petition.traveler),
        selectinload(Petition.organization), selectinload(Petition.queue),
        selectinload(Petition.arrivals).selectinload(Arrival.port))).all()
    more = len(rows) > limit
    rows = rows[:limit]
    infos = status_info.for_petitions(rows, g.api_user)  # batched, not one query per row
    found = notices.for_petitions(rows)
    items = [serializers.petition(p, g.api_user, infos[p.id], found[p.id]) for p in rows]
    next_cursor = encode_cursor(rows[-1].id) if more else None
    audit.staff_case_views(g.api_user, rows, via="api list")  # an officer's page of cases
    return jsonify(items=items, next_cursor=next_cursor)


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
