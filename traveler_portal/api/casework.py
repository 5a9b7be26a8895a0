"""Officers and supervisors: refer a case to another queue; the supervisor's second look
at a denial (four eyes)."""
from flask import g, jsonify

from ..domain import casework
from ..models import Role
from . import serializers
from .blueprint import bp
from .helpers import api_auth, json_body


@bp.post("/petitions/<receipt_number>/refer")
@api_auth(Role.OFFICER, Role.SUPERVISOR)
def refer(receipt_number):
    """Send a claimed petition to another queue of the same country, with a reason."""
    data = json_body()
    petition = casework.refer(g.api_user, receipt_number, str(data.get("queue") or ""),
                              str(data.get("reason") or ""), version=data.get("version"))
    return jsonify(serializers.petition(petition, g.api_user))


@bp.post("/petitions/<receipt_number>/denial-review")
@api_auth(Role.SUPERVISOR)
def denial_review(receipt_number):
    """Approve a pending denial (the traveler is then told) or return it with a note."""
    data = json_body()
    petition = casework.review_denial(g.api_user, receipt_number, str(data.get("action") or ""),
                                      str(data.get("note") or ""), version=data.get("version"))
    return jsonify(serializers.petition(petition, g.api_user))
