"""Officers: queues, claims, releases, notes and decisions."""
import sqlalchemy as sa
from flask import g, jsonify

from ..domain import adjudication
from ..extensions import db
from ..forms.decision import DecisionForm, decision_input
from ..models import Petition, Role
from . import serializers
from .blueprint import bp
from .helpers import api_auth, form_from_json, json_body, validated
from .petitions import DETAIL_OPTIONS

AGENCY = (Role.OFFICER, Role.SUPERVISOR)


@bp.get("/queues")
@api_auth(*AGENCY)
def list_queues():
    """The caller's country's queues with how many petitions wait in each."""
    return jsonify(items=[{"code": q.code, "name": q.name, "country": q.country.value,
                           "depth": depth, "is_triage": q.is_triage,
                           "sla_business_days": q.sla_business_days}
                          for q, depth in adjudication.queues_with_depth(g.api_user)])


@bp.post("/queues/<code>/claim")
@api_auth(*AGENCY)
def claim(code):
    """Claim the next petition of the queue; 204 when it is empty."""
    petition = adjudication.claim_next(g.api_user, code)
    if petition is None:
        return "", 204
    # What the answer shows, read in a fixed number of statements (not one lazy load each).
    petition = db.session.get(Petition, sa.inspect(petition).identity, options=DETAIL_OPTIONS,
                              populate_existing=True)
    return jsonify(serializers.petition(petition, g.api_user))


@bp.post("/petitions/<receipt_number>/release")
@api_auth(*AGENCY)
def release(receipt_number):
    """Give a claimed petition back to its queue."""
    return jsonify(serializers.petition(adjudication.release(g.api_user, receipt_number),
                                        g.api_user))


@bp.post("/petitions/<receipt_number>/notes")
@api_auth(*AGENCY)
def add_note(receipt_number):
    """Add an internal note (never shown outside the agency)."""
    data = json_body()
    adjudication.add_note(g.api_user, receipt_number, str(data.get("note") or ""))
    return "", 204


@bp.post("/petitions/<receipt_number>/decision")
@api_auth(*AGENCY)
def decide(receipt_number):
    """Approve, deny or request evidence on a petition the caller has claimed."""
    data = json_body()
    items = data.pop("evidence_items", None)  # strings (v1) or objects: the domain reads them
    conditions, version = data.pop("conditions", None), data.pop("version", None)
    form = form_from_json(DecisionForm, data)
    validated(form)
    petition = adjudication.decide(g.api_user, receipt_number, decision_input(
        form, evidence_items=items, conditions=conditions if isinstance(conditions, dict)
        else {}, version=version))
    return jsonify(serializers.petition(petition, g.api_user))
