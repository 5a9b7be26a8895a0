"""Notices: the stored PDF of a decision or request for evidence, served unchanged."""
from flask import g

from ..domain import notices
from ..web.support.downloads import send_notice
from .blueprint import bp
from .helpers import api_auth


@bp.get("/petitions/<receipt_number>/notices/<notice_id>")
@api_auth()
def get_notice(receipt_number, notice_id):
    """One notice (application/pdf) of a petition the caller may see; 404 otherwise."""
    return send_notice(*notices.get(g.api_user, receipt_number, notice_id))
