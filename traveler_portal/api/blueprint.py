from flask import Blueprint

from ..domain import uow
from ..extensions import db
from ..models import AuditEntry

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def _commit_recorded_reads(response):
    """Staff reads recorded while a response was built (an identity shown in a petition's
    JSON) are committed with the answer: every view is audited, whichever endpoint
    returned the petition."""
    if response.status_code < 400 and any(isinstance(o, AuditEntry) for o in db.session.new):
        uow.commit()
    return response
