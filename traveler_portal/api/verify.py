"""The public verification of a decision notice (no authentication): from the code alone,
the status and the few facts the verification page shows; rate-limited per address."""
from flask import current_app, jsonify
from flask_babel import gettext as _

from ..domain import verification
from ..extensions import limiter
from .blueprint import bp
from .helpers import ApiError, api_public


@bp.get("/verify/<code>")
@api_public
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT_PER_ADDRESS"])
def verify(code):
    """Status, category, destination, port, validity and initials of the decision named by
    ``code``; 404 for an unknown, altered or forged code."""
    decision = verification.resolve(code)
    if decision is None:
        raise ApiError(404, "not_found", _("No decision has this verification code."))
    response = jsonify(verification.public_facts(decision))
    response.headers["Cache-Control"] = "no-store"
    return response
