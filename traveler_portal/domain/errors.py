"""Errors the domain raises; the web and API layers turn them into pages and JSON."""
from flask_babel import LazyString


def _text(value):
    # A lazy string (a module-level _l constant) becomes text here, in the language of the
    # request: flash() puts messages in the session and jsonify() cannot encode LazyString.
    return str(value) if isinstance(value, LazyString) else value


class DomainError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str, fields: dict | None = None, **extra):
        message = _text(message)
        super().__init__(message)
        self.message = message
        self.fields = {name: _text(text) for name, text in (fields or {}).items()}
        self.extra = extra


class ValidationFailed(DomainError):
    code, http_status = "validation_failed", 422


class NotFound(DomainError):
    code, http_status = "not_found", 404


class Forbidden(DomainError):
    code, http_status = "forbidden", 403


class Conflict(DomainError):
    code, http_status = "conflict", 409


class PayloadTooLarge(DomainError):
    code, http_status = "payload_too_large", 413


class UnsupportedMediaType(DomainError):
    code, http_status = "unsupported_media_type", 415


class RateLimited(DomainError):
    code, http_status = "rate_limited", 429
