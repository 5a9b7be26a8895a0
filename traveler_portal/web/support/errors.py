"""Error pages (HTML for the browser, JSON under /api/): one answer per HTTP status, with
the domain's own message where there is one; never a traceback."""
import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from ...api.helpers import HTTP_CODES
from ...domain import uow
from ...domain.errors import DomainError

log = logging.getLogger(__name__)

ERROR_TITLES = {400: _l("The request could not be understood"), 403: _l("Not allowed"),
                404: _l("Page not found"), 405: _l("Not allowed"),
                409: _l("Someone else changed this first"),
                413: _l("The file is too large"), 415: _l("That kind of file is not accepted"),
                422: _l("Some details are not valid"),
                429: _l("Too many attempts: wait a minute and try again"),
                500: _l("Sorry, something went wrong on our side"),
                503: _l("Temporarily unavailable")}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_page(status: int, message: str = ""):
    uow.rollback()
    if _wants_json():
        return jsonify({"error": {"code": HTTP_CODES.get(status, "error"),
                                  "message": message or str(ERROR_TITLES.get(status, ""))}}), status
    return render_template("errors/error.html", status=status,
                           title=ERROR_TITLES.get(status, ERROR_TITLES[500]),
                           message=message), status


def init_app(app):
    @app.errorhandler(HTTPException)
    def _http(exc):
        response, status = error_page(exc.code or 500,
                                      "" if exc.code == 404 else exc.description)
        response = current_app.make_response((response, status))
        if getattr(exc, "valid_methods", None):  # a 405 keeps its Allow header
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(DomainError)
    def _domain(exc):
        return error_page(exc.http_status, exc.message)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unhandled error on %s", request.path)
        return error_page(500)
