"""Every API failure is JSON: ``{"error": {"code", "message", "fields"?}}``."""
import logging

from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..domain import uow
from ..domain.errors import DomainError
from .blueprint import bp
from .helpers import HTTP_CODES, ApiError, error_response, from_domain

log = logging.getLogger(__name__)



@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    uow.rollback()
    return error_response(exc.status, exc.code, exc.message, exc.fields, **exc.extra)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    uow.rollback()
    return from_domain(exc)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    uow.rollback()
    code = HTTP_CODES.get(exc.code, "error")
    return error_response(exc.code, code, exc.description or exc.name)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    uow.rollback()
    log.exception("unhandled API error")
    return error_response(500, "internal_error", _("Something went wrong on our side; "
                                                   "nothing was saved. Try again."))
