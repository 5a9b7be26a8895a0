"""How webhook deliveries are signed and retried, told once for every place an integrator
reads it: the OpenAPI document's ``webhooks``, docs/api.md and the employer's
integrations page. ``VERIFY_SNIPPET`` is run by a test against a real delivery."""
from ..domain import integrations

VERIFY_SNIPPET = '''import hashlib
import hmac
import time


def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """True when a webhook delivery is genuine and recent. `secret` is the endpoint's
    signing secret (shown once when the endpoint was added), `headers` the request's
    headers, `body` the raw request body exactly as received (before parsing JSON)."""
    timestamp = headers["X-Portal-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False  # too old (or a replay): refuse it
    signed = timestamp.encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Portal-Signature"])
'''

HEADERS = {
    "X-Portal-Event-Id": "The event's id (also `id` in the body): the same on every retry "
                         "of that event, so a receiver drops duplicates by it.",
    "X-Portal-Timestamp": "Seconds since 1970-01-01 UTC when this attempt was signed "
                          "(each attempt is signed afresh).",
    "X-Portal-Signature": "`sha256=` followed by the hex HMAC-SHA256 of "
                          "`<X-Portal-Timestamp>.<raw body>` keyed with the endpoint's secret.",
}


MAX_RETRIES = integrations.MAX_RETRIES


def retry_delays(base: int = 10) -> str:
    """"10 s, 20 s, ..." with the default WEBHOOK_RETRY_BASE_SECONDS."""
    return ", ".join(f"{integrations.backoff(n, base)} s"
                     for n in range(integrations.MAX_RETRIES))


def retry_schedule(base: int = 10) -> str:
    shown = retry_delays(base)
    return (f"A delivery counts as received when the endpoint answers 2xx within 5 seconds. "
            f"Otherwise it is retried {integrations.MAX_RETRIES} times, "
            f"after {shown} (doubling, at most {integrations.RETRY_CAP_SECONDS} s), then "
            f"marked failed in the endpoint's delivery log. Deliveries may arrive more than "
            f"once and out of order: deduplicate by the event id and order by `created_at`.")


def openapi_webhooks(ref) -> dict:
    """The OpenAPI 3.1 ``webhooks`` section: what is POSTed to an endpoint."""
    headers = [{"name": name, "in": "header", "required": True,
                "schema": {"type": "string"}, "description": text}
               for name, text in HEADERS.items()]
    description = ("Every public status change of one of the organization's petitions is "
                   "POSTed as JSON to each active endpoint. Verify it before trusting it:\n\n"
                   + "\n".join(f"- `{k}`: {v}" for k, v in HEADERS.items())
                   + "\n\n" + retry_schedule() + "\n\nVerification in Python:\n\n```python\n"
                   + VERIFY_SNIPPET + "```\n\nThe full guide: docs/api.md in the "
                   "repository, section \"Webhooks\".")

    def event(summary, schema):
        return {"post": {"summary": summary, "description": description,
                         "tags": ["webhooks"], "parameters": headers,
                         "requestBody": {"required": True, "content": {
                             "application/json": {"schema": schema}}},
                         "responses": {"2XX": {"description": "Received; anything else "
                                               "(or no answer in 5 s) is retried."}}}}
    return {"petition.status_changed": event("A petition's public status changed",
                                             ref("WebhookStatusChanged")),
            "petition.arrival_recorded": event(
                "A port officer recorded the traveler's arrival (the status is unchanged)",
                ref("WebhookArrivalRecorded")),
            "test": event("A test event sent from the integrations page",
                          ref("WebhookTest"))}


TITLES = {"type": "object", "required": ["en", "fr"], "description":
          "The title in each official language (English and Canadian French).",
          "properties": {"en": {"type": "string"}, "fr": {"type": "string"}}}

SCHEMAS = {
    "WebhookStatusChanged": {
        "type": "object", "required": ["id", "type", "created_at", "data"], "properties": {
            "id": {"type": "string", "example": "evt_1234"},
            "type": {"const": "petition.status_changed"},
            "created_at": {"type": "string", "format": "date-time"},
            "data": {"type": "object", "properties": {
                "receipt_number": {"type": "string"}, "status": {"type": "string"},
                "previous_status": {"type": ["string", "null"]},
                "title": {"type": "string", "description": "In English."},
                "titles": TITLES, "traveler_email": {"type": "string"},
                "destination_country": {"type": "string", "enum": ["US", "CA"]},
                "category": {"type": "string"}}}}},
    "WebhookArrivalRecorded": {
        "type": "object", "required": ["id", "type", "created_at", "data"], "properties": {
            "id": {"type": "string", "example": "evt_1240"},
            "type": {"const": "petition.arrival_recorded"},
            "created_at": {"type": "string", "format": "date-time"},
            "data": {"type": "object", "properties": {
                "receipt_number": {"type": "string"}, "status": {"type": "string"},
                "title": {"type": "string", "example":
                          "Admitted at Blaine Peace Arch, WA on January 5, 2027, until "
                          "January 4, 2030", "description": "In English."},
                "titles": TITLES, "traveler_email": {"type": "string"},
                "destination_country": {"type": "string", "enum": ["US", "CA"]},
                "category": {"type": "string"}, "arrival": {"$ref":
                                                           "#/components/schemas/Arrival"}}}}},
    "WebhookTest": {
        "type": "object", "required": ["id", "type", "created_at"], "properties": {
            "id": {"type": "string", "example": "test-1f2e3d4c5b6a7980"},
            "type": {"const": "test"},
            "created_at": {"type": "string", "format": "date-time"}}},
}
