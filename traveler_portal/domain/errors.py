"""Errors the domain raises; the web and API layers turn them into pages and JSON."""


class DomainError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str, fields: dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
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
