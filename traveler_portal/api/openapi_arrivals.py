"""The OpenAPI description of the port officers' endpoints and the public processing times
(api/arrivals.py), merged into the served document by ``openapi.document()``."""
from .openapi import DATE, JSON, RECEIPT, TS, _errors, _list_of, _ok, _op, _ref

TAG = "arrivals"
WARNING = {"type": "object", "required": ["code", "message"], "properties": {
    "code": {"type": "string", "enum": ["no_decision", "denied", "withdrawn", "expired",
                                        "outside_validity", "other_port", "already_arrived"]},
    "message": {"type": "string"}}}

SCHEMAS = {
    "Arrival": {"type": "object", "required": ["at", "port_of_entry", "outcome",
                                               "admitted_until"], "properties": {
        "at": {"type": "string", "format": "date-time",
               "description": "When the inspection ended."},
        "port_of_entry": {"type": "string"}, "port_name": {"type": "string"},
        "outcome": {"type": "string", "enum": ["admitted", "secondary", "refused",
                                               "admitted_other"]},
        "admitted_until": {"type": ["string", "null"], "format": "date"},
        "title": {"type": "string", "description": "The arrival in one sentence, as the "
                                                   "traveler and the employer read it."}}},
    "NewArrival": {"type": "object", "required": ["outcome", "inspection_started_at",
                                                  "inspection_ended_at"], "properties": {
        "outcome": {"type": "string", "enum": ["admitted", "secondary", "refused",
                                               "admitted_other"],
                    "description": "admitted: under the approved category (an approved "
                                   "petition only), with admitted_until."},
        "port_of_entry": {"type": "string", "description": "Default: the officer's port."},
        "admitted_until": DATE, "reason_code": {"type": "string",
                                                "description": "Refusals: a reason code."},
        "inspection_started_at": {"type": "string", "format": "date-time"},
        "inspection_ended_at": {"type": "string", "format": "date-time"},
        "note": {"type": "string", "maxLength": 2000,
                 "description": "Agency only; never shown to the traveler."},
        "another_crossing": {"type": "boolean", "description": (
            "Required (true) to record a second arrival on the same petition: a new "
            "trip; otherwise 409 conflict.")}}},
    "ProcessingTime": {"type": "object", "required": [
        "queue", "category", "median_days", "p80_days", "decisions", "period_start",
        "period_end"], "properties": {
        "queue": {"type": "string"}, "queue_name": {"type": "string"},
        "category": {"type": "string"}, "category_name": {"type": "string"},
        "median_days": {"type": "integer"}, "p80_days": {"type": "integer"},
        "decisions": {"type": "integer", "description": "How many decisions the figures "
                                                        "rest on."},
        "period_start": DATE, "period_end": DATE}},
}

LOOKUP_PARAMS = [
    {"name": "code", "in": "query", "schema": {"type": "string"},
     "description": "The verification code of a notice (its QR code)."},
    {"name": "receipt_number", "in": "query", "schema": {"type": "string"}},
    {"name": "passport_number", "in": "query", "schema": {"type": "string"},
     "description": "With date_of_birth. A wrong pair answers like an unknown one; "
                    "repeated misses are audited and throttled (429)."},
    {"name": "date_of_birth", "in": "query", "schema": DATE}]

PATHS = {
    "/arrivals/lookup": {"get": _op(
        "Port officers: find a traveler's cases bound for the officer's country",
        {**_ok("200", "Matching petitions (empty when none), each with identity and "
                      "warnings.", _list_of({"allOf": [_ref("Petition"), {
                          "type": "object", "properties": {
                              "identity": {"type": ["object", "null"]},
                              "warnings": {"type": "array", "items": WARNING}}}]})),
         **_errors(401, 403, 422), "429": {"$ref": "#/components/responses/E429"}},
        params=LOOKUP_PARAMS, tag=TAG)},
    "/petitions/{receipt_number}/arrivals": {"post": _op(
        "Port officers: record the inspection's outcome (the traveler and the employer "
        "are told; the petition's status does not change)",
        {**_ok("201", "The arrival, with the warnings it was recorded past.",
               {"allOf": [_ref("Arrival"), {"type": "object", "properties": {
                   "receipt_number": {"type": "string"},
                   "warnings": {"type": "array", "items": WARNING}}}]}),
         **_errors(401, 403, 404, 409, 422)},
        body={JSON: {"schema": _ref("NewArrival")}}, params=[RECEIPT], tag=TAG)},
    "/processing-times": {"get": _op(
        "Published processing times of a country: median and 80th-percentile days from "
        "submission to decision over the last 12 weeks, per queue and category",
        {**_ok("200", "The figures, as last computed (hourly).", {
            "type": "object", "required": ["items", "computed_at"], "properties": {
                "items": {"type": "array", "items": _ref("ProcessingTime")},
                "computed_at": TS}}), **_errors(422)},
        params=[{"name": "country", "in": "query", "required": True,
                 "schema": {"type": "string", "enum": ["US", "CA"]}}],
        auth=False, tag="reference")},
}
