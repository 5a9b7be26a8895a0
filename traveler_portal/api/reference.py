"""Reference data for filing: categories (with required documents) and ports."""
from flask import jsonify
from flask_babel import gettext as _

from ..domain import reference
from .blueprint import bp
from .helpers import ApiError, api_auth
from .petition_input import questions_json


def _country(country: str) -> str:
    if country not in reference.COUNTRIES:
        raise ApiError(404, "not_found", _("Countries are US and CA."))
    return country


@bp.get("/countries/<country>/categories")
@api_auth()
def categories(country):
    """The country's categories, the documents each requires and its own questions."""
    items = [{"code": c.code, "name": c.name, "channel": c.channel,
              "decided_by": c.decided_by, "max_validity_days": c.max_validity_days,
              "required_documents": [{"kind": d.kind, "name": d.name,
                                      "description": d.description}
                                     for d in c.required_documents if d.required],
              "optional_documents": [{"kind": d.kind, "name": d.name,
                                      "description": d.description}
                                     for d in c.required_documents if not d.required],
              "questions": questions_json(c)}
             for c in reference.categories(_country(country))]
    return jsonify(items=items)


@bp.get("/countries/<country>/ports")
@api_auth()
def ports(country):
    """The country's ports of entry and preclearance sites."""
    return jsonify(items=[{"code": p.code, "name": p.name, "kind": p.kind}
                          for p in reference.ports(_country(country))])


@bp.get("/reason-codes")
@api_auth()
def reason_codes():
    """Denial reason codes with their plain-language explanations."""
    return jsonify(items=[{"code": r.code, "title": r.title, "explanation": r.explanation,
                           "citation_us": r.citation_us, "citation_ca": r.citation_ca}
                          for r in reference.reason_codes()])
