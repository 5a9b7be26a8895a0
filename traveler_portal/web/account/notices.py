"""Notices in the browser: the stored PDF of a decision or request for evidence, for the
traveler, the employer of the organization and the officers of the destination country
(anyone who may see the petition; 404 for anyone else). The list is shown on the petition
page (``partials/petition.html``) through the ``petition_notices`` template helper."""
from flask_login import current_user

from ...domain import notices
from ...models import Role
from ..support.downloads import send_notice
from ..support.permissions import roles_required
from .blueprint import bp


@bp.app_context_processor
def _helpers():
    return {"petition_notices": notices.for_petition}


@bp.get("/petitions/<receipt_number>/notices/<notice_id>")
@roles_required(Role.TRAVELER, Role.EMPLOYER, Role.OFFICER, Role.SUPERVISOR)
def notice(receipt_number, notice_id):
    """One notice of a petition the signed-in user may see, exactly as it was stored."""
    return send_notice(*notices.get(current_user, receipt_number, notice_id))
