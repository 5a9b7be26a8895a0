"""Shared pieces of the API: authentication, errors, input and pagination."""
import base64
import binascii
from functools import wraps

from flask import g, jsonify, request
from flask_babel import LazyString
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..domain import accounts, integrations
from ..domain.errors import DomainError, ValidationFailed
from ..models import Role

HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
              415: "unsupported_media_type", 422: "validation_failed", 429: "rate_limited"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None,
                 **extra):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.extra = fields, extra


def _plain(value):
    """Messages as text: jsonify cannot encode a lazy string (an ``_l`` constant)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return str(value) if isinstance(value, LazyString) else value


def error_response(status: int, code: str, message: str, fields: dict | None = None,
                   **extra):
    body = {"code": code, "message": _plain(message)}
    if fields:
        body["fields"] = _plain(fields)
    body.update(_plain(extra))
    return jsonify({"error": body}), status


def from_domain(exc: DomainError):
    return error_response(exc.http_status, exc.code, exc.message, exc.fields or None,
                          **exc.extra)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def api_auth(*roles: Role):
    """Bearer-token authentication; the caller's role must be one of ``roles``."""
    allowed = roles or tuple(Role)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            bearer = _bearer() or ""
            found = accounts.user_for_token(bearer)
            g.api_key = None
            if found is None:
                keyed = integrations.principal_for_key(bearer)
                if keyed is None:
                    raise ApiError(401, "unauthenticated", _("A valid bearer token is required."))
                found = (keyed[0], None)
                g.api_key = keyed[1]
                if keyed[1].scope == "read" and request.method not in ("GET", "HEAD"):
                    raise ApiError(403, "forbidden", _("This API key may only read."))
            g.api_user, g.api_token = found
            if g.api_user.role not in allowed:
                raise ApiError(403, "forbidden", _("Your role cannot do this."))
            return view(*args, **kwargs)
        wrapped.permission = allowed
        return wrapped
    return decorator


def api_public(view):
    view.permission = "public"
    return view


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(422, "validation_failed", _("The body must be a JSON object."),
                       {"body": _("Send a JSON object with Content-Type: application/json.")})
    return data


def form_from_json(form_cls, data: dict, **kwargs):
    """Build a shared WTForms form from a JSON object (lists become repeated values).
    Every value must be a string, number, boolean or null, or a list of those: an object
    where a string belongs (``{"$ne": 1}``) is refused with its field named, never turned
    into text or passed on to a query."""
    pairs = []
    for key, value in data.items():
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, (dict, list)) for item in items):
            raise ValidationFailed(_("Some fields are not valid."), {
                str(key): _("Give a single value (text, number or true/false), not an "
                            "object or a nested list.")})
        for item in items:
            if item is not None:
                pairs.append((key, item if isinstance(item, str) else str(item)))
    return form_cls(formdata=MultiDict(pairs), meta={"csrf": False}, **kwargs)


def validated(form):
    """Raise 422 naming every field at fault, one message each."""
    if not form.validate():
        raise ValidationFailed(_("Some fields are not valid."), form.first_errors())
    return form


def page_args(default: int = 25, maximum: int = 100) -> tuple[int, int | None]:
    raw_limit = request.args.get("limit", str(default))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= maximum:
        raise ApiError(422, "validation_failed", _("Bad limit."),
                       {"limit": _("Give a whole number from 1 to %(maximum)d.",
                                   maximum=maximum)})
    cursor = request.args.get("cursor")
    after = None
    if cursor:
        try:
            after = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
            if not 0 < after < 2**63:  # never issued; too large for SQLite's integers (500)
                raise ValueError(after)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ApiError(422, "validation_failed", _("Bad cursor."), {
                "cursor": _("Pass the next_cursor of the previous page unchanged.")}) from None
    return int(raw_limit), after


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")
