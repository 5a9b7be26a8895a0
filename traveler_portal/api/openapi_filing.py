"""The OpenAPI description of identity, the whole petition (job and the answers of each
category) and the verification of a decision; merged into the served document by
``openapi.document()``. The answers are described per category, from the reference data
the server validates them against."""
from ..reference import loader
from .openapi import (
    DATE,
    JSON,
    NULLABLE_STR,
    PETITION,
    RECEIPT,
    _errors,
    _ok,
    _op,
    _ref,
)

TEXT = {"type": "string"}
NULL_DATE = {"type": ["string", "null"], "format": "date"}

SCHEMAS = {
    "Job": {"type": "object", "additionalProperties": False, "description": (
        "The guided filing's job step (and its dates). Sent at all, it is validated whole "
        "with what the draft holds, exactly as the browser's step: occupation, duties, "
        "worksite and salary are then required; errors name job.<field> "
        "(job.salary.amount, job.salary.currency, job.start_date...)."), "properties": {
        "occupation": {"type": "string", "maxLength": 200},
        "duties": {"type": "string", "maxLength": 5000},
        "worksite": {"type": "string", "maxLength": 300},
        "salary": {"type": "object", "properties": {
            "amount": {"type": ["string", "number"], "description": "Per year, e.g. 95000.50"},
            "currency": {"type": "string", "enum": ["USD", "CAD"]}}},
        "start_date": DATE, "end_date": DATE}},
    "JobOut": {"type": "object", "properties": {
        "occupation": NULLABLE_STR, "duties": NULLABLE_STR, "worksite": NULLABLE_STR,
        "salary": {"type": ["object", "null"], "properties": {
            "amount": TEXT, "currency": NULLABLE_STR}},
        "start_date": NULL_DATE, "end_date": NULL_DATE}},
    "PetitionChanges": {"type": "object", "description": (
        "A draft's changes: what is sent is merged over what is stored and validated as "
        "the guided steps validate it; 409 once submitted."), "properties": {
        "category": TEXT, "port_of_entry": TEXT, "travel_date": DATE,
        "job_title": {"type": "string", "maxLength": 200},
        "employer_name": {"type": "string", "maxLength": 200},
        "job": _ref("Job"), "answers": _ref("Answers"),
        "version": {"type": "integer", "description": "Refuse (409) if the draft changed."}}},
    "Profile": {"type": "object", "required": [
        "given_names", "surname", "citizenship", "passport_expiry", "date_of_birth",
        "refused_before"], "properties": {
        "given_names": {"type": "string", "maxLength": 200,
                        "description": "As in the passport."},
        "surname": {"type": "string", "maxLength": 200, "description": "As in the passport."},
        "citizenship": {"type": "string", "pattern": "^[A-Z]{2}$",
                        "description": "ISO 3166 alpha-2."},
        "citizenships": {"type": "array", "items": TEXT,
                         "description": "All of them, instead of citizenship."},
        "passport_number": {"type": "string", "description": (
            "6 to 20 letters and digits; omit to keep the one on file.")},
        "passport_country": {"type": "string", "description": "Default: the citizenship."},
        "passport_expiry": DATE, "date_of_birth": DATE,
        "refused_before": {"type": "boolean"},
        "refusal_details": {"type": "string", "description": "Required when refused_before."},
        "residence_country": {"type": "string", "description": "Default: the citizenship."},
        "language": {"type": "string", "enum": ["en", "fr"]},
        "complete": {"type": "boolean", "readOnly": True,
                     "description": "Complete enough to submit a petition."},
        "missing": {"type": "array", "items": TEXT, "readOnly": True}}},
    "Identity": {"type": "object", "description": (
        "On a petition, for the traveler and for officers of its destination country only "
        "(every staff read audited)."), "properties": {
        "name": TEXT, "given_names": TEXT, "surname": TEXT, "citizenship": NULLABLE_STR,
        "passport_number": NULLABLE_STR, "passport_expiry": NULL_DATE,
        "date_of_birth": NULL_DATE, "refused_before": {"type": "boolean"},
        "refusal_details": TEXT,
        "earlier_decisions": {"type": "array", "description": (
            "Officers, GET /petitions/{receipt_number} only: the traveler's other approved "
            "and denied petitions of the officer's country, most recent first."),
            "items": {"type": "object", "properties": {
                "receipt_number": TEXT, "category": TEXT,
                "outcome": {"type": "string", "enum": ["approved", "denied"]},
                "reason_codes": {"type": "array", "items": TEXT},
                "decided_at": {"type": "string", "format": "date-time"}}}}}},
    "Verification": {"type": "object", "required": [
        "status", "category", "destination_country", "port_of_entry", "valid_from",
        "valid_until", "initials"], "properties": {
        "status": {"type": "string",
                   "enum": ["valid", "expired", "withdrawn", "superseded", "revoked"]},
        "outcome": {"type": "string", "enum": ["approved", "denied"]},
        "category": TEXT, "category_name": TEXT,
        "destination_country": {"type": "string", "enum": ["US", "CA"]},
        "port_of_entry": TEXT, "port_name": TEXT, "valid_from": NULL_DATE,
        "valid_until": NULL_DATE, "decided_on": DATE,
        "initials": {"type": "string", "description": "The traveler's initials only."}}},
}


def _english(text) -> str:
    """The English of a reference text (a string, or ``{"en": ..., "fr": ...}``)."""
    return text.get("en", "") if isinstance(text, dict) else text


def answers_schemas() -> dict:
    """``Answers``: one schema per category (``Answers_<country>_<code>``), from the
    reference data files (the document needs no database): each question, required or
    not."""
    schemas, variants = {}, []
    for category in loader.read("categories.toml")["category"]:
        country, code = category["country"], category["code"]
        name = f"Answers_{country}_{code}"
        questions = category.get("fields", [])
        title = _english(category["name"])
        schemas[name] = {
            "type": "object", "additionalProperties": False,
            "title": f"{country} {code}: {title}",
            "required": [q["name"] for q in questions if q.get("required")],
            "properties": {q["name"]: {"type": "string", "maxLength": 500,
                                       "description": _english(q["label"])
                                       + (f" ({_english(q['hint'])})"
                                          if q.get("hint") else "")}
                           for q in questions}}
        variants.append(_ref(name))
    schemas["Answers"] = {"description": (
        "The category's own questions (GET /countries/{country}/categories lists them as "
        "questions), keyed by code; one schema per category below. Errors name "
        "answers.<code>; null removes an answer."), "anyOf": variants or [{"type": "object"}]}
    return schemas


PATHS = {
    "/me/profile": {
        "get": _op("The traveler's identity", {
            **_ok("200", "The profile.", _ref("Profile")), **_errors(401, 403)}, tag="auth"),
        "put": _op("Replace the traveler's identity (needed before submitting)", {
            **_ok("200", "The profile.", _ref("Profile")), **_errors(401, 403, 422)},
            body={JSON: {"schema": _ref("Profile")}}, tag="auth")},
    "/petitions/{receipt_number}": {"patch": _op("Change a draft (trip, job, answers)", {
        **PETITION, **_errors(401, 403, 404, 409, 422)}, params=[RECEIPT],
        body={JSON: {"schema": _ref("PetitionChanges")}})},
    "/verify/{code}": {"get": _op(
        "Verify a decision notice from its code (no authentication; rate-limited)", {
            **_ok("200", "What the decision is and whether it stands.",
                  _ref("Verification")),
            **_errors(404), "429": {"$ref": "#/components/responses/E429"}},
        params=[{"name": "code", "in": "path", "required": True, "schema": TEXT,
                 "example": "2F-7K3M-9QXA-BCDW-XYZ0"}], auth=False, tag="verification")},
}
