"""The OpenAPI 3.1 description of this API, served at ``/api/v1/openapi.json``.

A test checks that every API route is described here and every described path exists.
"""
from flask import jsonify

from ..models import Status
from . import webhook_docs
from .blueprint import bp
from .helpers import api_public

JSON = "application/json"


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(status: str, description: str, schema=None):
    response = {"description": description}
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    return {status: response}


def _errors(*codes):
    return {str(c): {"$ref": f"#/components/responses/E{c}"} for c in codes}


def _op(summary, responses, body=None, params=(), auth=True, tag="petitions"):
    op = {"summary": summary, "tags": [tag], "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    if params:
        op["parameters"] = list(params)
    if not auth:
        op["security"] = []
    return op


RECEIPT = {"name": "receipt_number", "in": "path", "required": True,
           "schema": {"type": "string"}, "example": "US-2026-7K3M9Q"}
COUNTRY = {"name": "country", "in": "path", "required": True,
           "schema": {"type": "string", "enum": ["US", "CA"]}}
QUEUE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
PAGE = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                     "maximum": 100, "default": 25}},
        {"name": "cursor", "in": "query", "schema": {"type": "string"}}]
LANGUAGE = {"name": "Accept-Language", "in": "header", "required": False,
            "schema": {"type": "string"}, "example": "fr-CA",
            "description": "en or fr: the language of messages and titles in the answer "
                           "(default: the caller's stated language, else English). The "
                           "answer's Content-Language names it."}
NULLABLE_STR = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
TS = {"type": ["string", "null"], "format": "date-time"}


# The employer dashboard's filters (employer_dashboard.apply_filters) on GET /petitions.
EMPLOYER_FILTERS = [
    {"name": "country", "in": "query", "schema": {"type": "string", "enum": ["US", "CA"]},
     "description": "Employers only (ignored for other roles): destination country."},
    {"name": "category", "in": "query", "schema": {"type": "string"}, "example": "TN",
     "description": "Employers only: a category code (of `country` when given; retired "
                    "categories included); an unknown one is 422."},
    {"name": "traveler", "in": "query", "schema": {"type": "string", "maxLength": 200},
     "description": "Employers only: part of the traveler's email or name."},
    {"name": "travel_from", "in": "query", "schema": DATE,
     "description": "Employers only: travel on or after this day (YYYY-MM-DD)."},
    {"name": "travel_to", "in": "query", "schema": DATE,
     "description": "Employers only: travel on or before this day (YYYY-MM-DD), not "
                    "before travel_from."}]


def _list_of(schema):
    return {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": schema}, "next_cursor": NULLABLE_STR}}


SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
    "Document": {"type": "object", "required": ["id", "kind", "filename", "size"],
                 "properties": {"id": {"type": "string"}, "kind": {"type": "string"},
                                "filename": {"type": "string"}, "size": {"type": "integer"},
                                "sha256": {"type": "string"}, "uploaded_at": TS}},
    "Petition": {"type": "object", "required": [
        "receipt_number", "status", "destination_country", "category", "port_of_entry",
        "travel_date", "job_title", "employer_name", "traveler", "organization", "queue",
        "submitted_at", "decided_at", "decision", "evidence_request", "documents",
        "timeline", "waiting_on", "queue_position", "estimate", "notices"], "properties": {
        "receipt_number": {"type": "string"},
        "status": {"type": "string", "enum": [s.value for s in Status]},
        "status_label": {"type": "string"},
        "destination_country": {"type": "string", "enum": ["US", "CA"]},
        "category": {"type": "string"}, "port_of_entry": {"type": "string"},
        "travel_date": DATE, "job_title": {"type": "string"},
        "employer_name": {"type": "string"},
        "traveler": {"type": "object", "properties": {"name": {"type": "string"},
                                                      "email": {"type": "string"}}},
        "organization": {"type": ["object", "null"]},
        "queue": {"type": ["object", "null"]},
        "created_at": TS, "submitted_at": TS, "decided_at": TS,
        "decision": {"type": ["object", "null"], "properties": {
            "outcome": {"type": "string"}, "reason_codes": {"type": "array"},
            "message": {"type": "string"}, "valid_from": NULLABLE_STR,
            "valid_until": NULLABLE_STR, "verification_code": {"type": "string", "description": (
                "Checks the decision at GET /verify/{code}, or at /verify/<code> in a "
                "browser (the notice's QR code).")}}},
        "evidence_request": {"type": ["object", "null"], "properties": {
            "items": {"type": "array", "items": {"type": "string"},
                      "description": "The requirements, as in API v1."},
            "details": {"type": "array", "items": _ref("EvidenceItem")},
            "respond_by": NULLABLE_STR, "requested_at": TS, "responded_at": TS,
            "overdue": {"type": "boolean",
                        "description": "Unanswered and past respond_by (its last day)."},
            "no_response_at": TS}},
        "documents": {"type": "array", "items": _ref("Document")},
        "notices": {"type": "array", "items": _ref("Notice"), "description": (
            "The PDF notice of each decision and request for evidence, oldest first; a "
            "denial has one once a supervisor confirms it.")},
        "timeline": {"type": "array", "items": {"type": "object", "properties": {
            "at": {"type": "string"}, "status": NULLABLE_STR, "title": {"type": "string"},
            "message": {"type": "string"}}}},
        "agency": {"type": "object", "description": "Officers and supervisors only."},
        "version": {"type": "integer", "description": (
            "Changes with every edit; send it with a PATCH to refuse a stale change.")},
        "job": _ref("JobOut"),
        "answers": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "The category's answers (see Answers)."},
        "identity": _ref("Identity"),
        "arrivals": {"type": "array", "items": _ref("Arrival"), "description": (
            "What happened at the border, oldest first, as port officers recorded it.")},
        "waiting_on": {"type": ["string", "null"],
                       "enum": ["applicant", "employer", "agency", None],
                       "description": "Who must act next; null once the case is closed."},
        "queue_position": {"type": ["integer", "null"], "minimum": 1,
                           "description": "1 for the next to be claimed; null unless "
                                          "queued."},
        "estimate": {"type": ["object", "null"], "description": (
            "From the most recent decided cases of the same queue and category "
            "(submission to decision, in days); null while there are too few or once "
            "the case is closed."),
            "required": ["median_days", "p80_days", "sample_size", "expected_by"],
            "properties": {
                "median_days": {"type": "integer"}, "p80_days": {"type": "integer"},
                "sample_size": {"type": "integer"}, "expected_by": DATE,
                "after_travel_date": {"type": "boolean", "description":
                                      "expected_by falls after the travel date."}}}}},
    "Notice": {"type": "object", "required": ["id", "kind", "url", "created_at"],
               "properties": {"id": {"type": "integer"},
                              "kind": {"type": "string",
                                       "enum": ["decision", "evidence_request"]},
                              "url": {"type": "string",
                                      "description": "GET it with the same credentials."},
                              "created_at": TS,
                              "verification_code": {"type": ["string", "null"],
                                                    "description": "Decision notices."}}},
    "NewPetition": {"type": "object", "required": [
        "destination_country", "category", "port_of_entry", "travel_date", "job_title",
        "employer_name"], "properties": {
        "destination_country": {"type": "string", "enum": ["US", "CA"]},
        "category": {"type": "string"}, "port_of_entry": {"type": "string"},
        "travel_date": DATE, "job_title": {"type": "string", "maxLength": 200},
        "employer_name": {"type": "string", "maxLength": 200},
        "traveler_email": {"type": "string", "format": "email",
                           "description": "Employer admins: the traveler filed for."},
        "job": _ref("Job"), "answers": _ref("Answers")}},
    "Decision": {"type": "object", "required": ["outcome"], "properties": {
        "outcome": {"type": "string", "enum": ["approved", "denied", "evidence_requested"]},
        "message": {"type": "string"},
        "reason_codes": {"type": "array", "items": {"type": "string"}},
        "valid_until": DATE, "evidence_items": {
            "type": "array", "description": (
                "A string (API v1: the requirement only) or an object per item. An item "
                "naming a kind already on file is refused unless its reason (30 characters "
                "or more) says why the document on file is not enough."),
            "items": {"oneOf": [{"type": "string"}, _ref("EvidenceAsk")]}},
        "respond_by": DATE,
        "conditions": {"type": "object", "description": "Conditions of an approval.",
                       "properties": {"employer": {"type": "string"},
                                      "occupation": {"type": "string"},
                                      "location": {"type": "string"}}},
        "version": {"type": "integer", "description": (
            "The petition's agency.version as you read it; a stale one is refused with "
            "409 conflict (someone else changed the case).")}},
        "description": ("A denial is not final: the petition goes to denial_pending (the "
                        "traveler still sees in_review, with no decision) until a "
                        "supervisor approves it with POST .../denial-review.")},
    "EvidenceAsk": {"type": "object", "required": ["requirement", "reason"], "properties": {
        "requirement": {"type": "string", "maxLength": 500},
        "reason": {"type": "string", "maxLength": 2000,
                   "description": "Why the evidence on file falls short."},
        "kind": {"type": "string", "description": "One of the category's document kinds, "
                                                  "or other; omit for any document."}}},
    "EvidenceItem": {"type": "object", "properties": {
        "id": {"type": ["integer", "null"]}, "requirement": {"type": "string"},
        "reason": {"type": "string"}, "kind": NULLABLE_STR, "answered_at": TS,
        "document_id": NULLABLE_STR, "note": {"type": "string"}}},
    "EvidenceResponse": {"type": "object", "description": (
        "Every item answered at once, or 422 naming each unanswered item "
        "(field item<id>_document) and nothing saved. Without items (API v1) each item "
        "takes a document uploaded since the request, of its kind when it names one."),
        "properties": {
            "message": {"type": "string", "maxLength": 5000},
            "items": {"type": "array", "items": {
                "type": "object", "required": ["id", "document_id"], "properties": {
                    "id": {"type": "integer"},
                    "document_id": {"type": "string",
                                    "description": "A document of this petition: new, "
                                                   "or already on file (reuse)."},
                    "note": {"type": "string", "maxLength": 2000}}}}}},
}

PETITION = _ok("200", "The petition.", _ref("Petition"))
ERRORS = {404: "not_found", 401: "unauthenticated", 403: "forbidden", 409: "conflict",
          413: "payload_too_large", 415: "unsupported_media_type",
          422: "validation_failed", 429: "rate_limited"}

PATHS = {
    "/auth/token": {
        "post": _op("Get a bearer token", {
            **_ok("201", "The token, shown once.", {"type": "object", "properties": {
                "token": {"type": "string"}, "expires_at": {"type": "string"}}}),
            **_errors(401, 422, 429)},
            body={JSON: {"schema": {"type": "object", "required": ["email", "password"],
                                    "properties": {"email": {"type": "string"},
                                                   "password": {"type": "string"},
                                                   # Agency accounts (second factor):
                                                   # missing → 401 otp_required.
                                                   "otp": {"type": "string"}}}}},
            auth=False, tag="auth"),
        "delete": _op("Revoke the token used", {**_ok("204", "Revoked."), **_errors(401)},
                      tag="auth")},
    "/me": {"get": _op("The caller", {**_ok("200", "The caller.", {"type": "object"}),
                                      **_errors(401)}, tag="auth")},
    "/countries/{country}/categories": {"get": _op(
        "Categories, required documents and each category's questions (the answers' "
        "codes: see the Answers schemas)",
        {**_ok("200", "Categories.", _list_of({"type": "object"})), **_errors(401, 404)},
        params=[COUNTRY], tag="reference")},
    "/countries/{country}/ports": {"get": _op(
        "Ports of entry", {**_ok("200", "Ports.", _list_of({"type": "object"})),
                           **_errors(401, 404)}, params=[COUNTRY], tag="reference")},
    "/reason-codes": {"get": _op("Denial reason codes", {
        **_ok("200", "Reason codes.", _list_of({"type": "object"})), **_errors(401)},
        tag="reference")},
    "/petitions": {
        "post": _op("File a draft petition", {
            **_ok("201", "The draft.", _ref("Petition")), **_errors(401, 403, 422)},
            body={JSON: {"schema": _ref("NewPetition")}}),
        "get": _op("Petitions the caller may see", {
            **_ok("200", "A page of petitions.", _list_of(_ref("Petition"))),
            **_errors(401, 422)},
            params=[{"name": "status", "in": "query", "schema": {
                "type": "string", "enum": [s.value for s in Status]}}, *EMPLOYER_FILTERS,
                *PAGE])},
    "/petitions/{receipt_number}": {"get": _op("One petition", {
        **PETITION, **_errors(401, 404)}, params=[RECEIPT])},
    "/petitions/{receipt_number}/documents": {"post": _op(
        "Upload a document (PDF, PNG or JPEG)",
        {**_ok("201", "The stored document.", _ref("Document")),
         **_errors(401, 403, 404, 409, 413, 415, 422)},
        body={"multipart/form-data": {"schema": {"type": "object", "required": ["kind", "file"],
                                                 "properties": {"kind": {"type": "string"},
                                                                "file": {"type": "string",
                                                                         "format": "binary"}}}}},
        params=[RECEIPT])},
    "/petitions/{receipt_number}/submit": {"post": _op(
        "Submit a draft (an employer gets 409 for a draft the traveler has not attested: "
        "the traveler's attestation submits it)",
        {**PETITION, **_errors(401, 403, 404, 409, 422)}, params=[RECEIPT])},
    "/petitions/{receipt_number}/withdraw": {"post": _op(
        "Withdraw before a decision", {**PETITION, **_errors(401, 403, 404, 409)},
        params=[RECEIPT])},
    "/petitions/{receipt_number}/notices/{notice_id}": {"get": _op(
        "A notice of the petition as a PDF, the same bytes every time (ETag: its SHA-256)",
        {"200": {"description": "The stored PDF notice.", "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
         **_errors(401, 404)},
        params=[RECEIPT, {"name": "notice_id", "in": "path", "required": True,
                          "schema": {"type": "integer"}}])},
    "/petitions/{receipt_number}/evidence": {"post": _op(
        "Answer a request for evidence", {**PETITION, **_errors(401, 403, 404, 409, 422)},
        body={JSON: {"schema": _ref("EvidenceResponse")}}, params=[RECEIPT])},
    "/queues": {"get": _op("The officer's country's queues", {
        **_ok("200", "Queues with depth.", _list_of({"type": "object"})),
        **_errors(401, 403)}, tag="officers")},
    "/queues/{code}/claim": {"post": _op("Claim the next petition", {
        **PETITION, **_ok("204", "The queue is empty."), **_errors(401, 403, 404)},
        params=[QUEUE], tag="officers")},
    "/petitions/{receipt_number}/release": {"post": _op("Release a claim", {
        **PETITION, **_errors(401, 403, 404, 409)}, params=[RECEIPT], tag="officers")},
    "/petitions/{receipt_number}/notes": {"post": _op("Add an internal note", {
        **_ok("204", "Saved."), **_errors(401, 403, 404, 422)}, params=[RECEIPT],
        body={JSON: {"schema": {"type": "object", "properties": {"note": {"type": "string"}}}}},
        tag="officers")},
    "/petitions/{receipt_number}/decision": {"post": _op("Record a decision", {
        **PETITION, **_errors(401, 403, 404, 409, 422)}, params=[RECEIPT],
        body={JSON: {"schema": _ref("Decision")}}, tag="officers")},
    "/petitions/{receipt_number}/denial-review": {"post": _op(
        "Supervisors: approve a pending denial (the traveler is told) or return it to its "
        "officer with a note", {**PETITION, **_errors(401, 403, 404, 409, 422)},
        params=[RECEIPT], tag="officers", body={JSON: {"schema": {
            "type": "object", "required": ["action"], "properties": {
                "action": {"type": "string", "enum": ["approve", "return"]},
                "note": {"type": "string", "description": "Required to return."},
                "version": {"type": "integer"}}}}})},
    "/petitions/{receipt_number}/refer": {"post": _op(
        "Refer a claimed petition to another queue of the same country",
        {**PETITION, **_errors(401, 403, 404, 409, 422)}, params=[RECEIPT], tag="officers",
        body={JSON: {"schema": {"type": "object", "required": ["queue", "reason"],
                                "properties": {"queue": {"type": "string"},
                                               "reason": {"type": "string"},
                                               "version": {"type": "integer"}}}}})},
    "/openapi.json": {"get": _op("This document", _ok("200", "OpenAPI 3.1.",
                                                      {"type": "object"}),
                                 auth=False, tag="meta")},
}

# API v1 clients may answer a request for evidence with no body at all.
PATHS["/petitions/{receipt_number}/evidence"]["post"]["requestBody"]["required"] = False


def document() -> dict:
    # These modules import this one's helpers: imported at use (a cycle otherwise).
    from . import openapi_arrivals as arrivals  # noqa: PLC0415
    from . import openapi_filing as filing  # noqa: PLC0415
    from . import openapi_organization as organization  # noqa: PLC0415
    paths = {path: dict(ops) for path, ops in PATHS.items()}
    for more in (organization.PATHS, filing.PATHS, arrivals.PATHS):
        for path, ops in more.items():
            paths.setdefault(path, {}).update(ops)
    for path, ops in paths.items():  # every operation answers in the language asked for
        paths[path] = {method: {**op, "parameters": [*op.get("parameters", ()), LANGUAGE]}
                       for method, op in ops.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cross-border business traveler pre-adjudication API",
                 "version": "1.0.0",
                 "description": "The contract in prose, with examples and webhook signing: "
                                "docs/api.md in the repository."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "webhooks": webhook_docs.openapi_webhooks(_ref),
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "A token from POST /auth/token, or an employer API key "
                               "(bbt_...) created in the portal; read-only keys may only "
                               "GET."}},
            "schemas": {**SCHEMAS, **organization.SCHEMAS, **arrivals.SCHEMAS,
                        **webhook_docs.SCHEMAS, **filing.SCHEMAS, **filing.answers_schemas()},
            "responses": {f"E{status}": {"description": code, "content": {
                JSON: {"schema": _ref("Error")}}} for status, code in ERRORS.items()},
        },
    }


@bp.get("/openapi.json")
@api_public
def openapi_json():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(document())
