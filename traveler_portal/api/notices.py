"""Notices: the stored PDF of a decision or request for evidence, served unchanged."""
from flask import g, send_file

from ..domain import notices
from .blueprint import bp
from .helpers import api_auth


def send_notice(notice, path):
    """The stored bytes as they were written, for anyone who may see the petition."""
    response = send_file(path, mimetype="application/pdf", as_attachment=False,
                         download_name=notices.download_name(notice), conditional=True,
                         etag=notice.sha256, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; object-src 'self'; frame-ancestors 'self'")
    return response


@bp.get("/petitions/<receipt_number>/notices/<notice_id>")
@api_auth()
def get_notice(receipt_number, notice_id):
    """One notice (application/pdf) of a petition the caller may see; 404 otherwise."""
    return send_notice(*notices.get(g.api_user, receipt_number, notice_id))
