"""The OpenAPI description of the employer's organization endpoints (api/organization.py),
merged into the served document by ``openapi.document()``."""
from .openapi import JSON, NULLABLE_STR, PAGE, TS, _errors, _list_of, _ok, _op, _ref

TAG = "organization"
READERS = ("Any employer user of the organization (viewers and read-only API keys "
           "included).")
ADMINS = ("Owners and admins of the organization, or a read-write API key acting for "
          "one; a viewer or a read-only key gets 403 forbidden.")

TEXT = {"type": "string"}
CONTACT = {"type": "object", "properties": {
    "name": {"type": "string", "maxLength": 200},
    "email": {"type": "string", "maxLength": 254},
    "phone": {"type": "string", "maxLength": 40}}}

SCHEMAS = {
    "Organization": {"type": "object", "required": [
        "id", "name", "number_kind", "business_number", "address", "contact",
        "digest_enabled"], "properties": {
        "id": TEXT, "name": {"type": "string", "description": "The legal name."},
        "number_kind": {"type": ["string", "null"], "enum": ["us_fein", "ca_bn", None]},
        "business_number": {"type": ["string", "null"], "description": (
            "A US FEIN stored as 12-3456789, or a Canadian BN9 (optionally with its "
            "program account, e.g. 123456782RT0001) stored compact; null until given.")},
        "address": TEXT, "contact": {**CONTACT, "required": ["name", "email", "phone"]},
        "digest_enabled": {"type": "boolean",
                           "description": "The weekly email digest to its employer users."}}},
    "OrganizationChanges": {
        "type": "object", "additionalProperties": False, "description": (
            "Only the fields sent change; the result is validated whole, as the "
            "organization's page does: a legal name no other organization has (whatever "
            "its case) and a valid business number of its kind (send number_kind with a "
            "number of the other kind). Unknown fields are 422; id is read only and "
            "ignored. Field errors name contact parts as contact.email etc."),
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "number_kind": {"type": "string", "enum": ["us_fein", "ca_bn"]},
            "business_number": {"type": "string", "maxLength": 20},
            "address": {"type": "string", "maxLength": 1000},
            "contact": CONTACT, "digest_enabled": {"type": "boolean"}}},
    "LinkedTraveler": {"type": "object", "required": ["id", "email", "name"], "properties": {
        "id": {"type": "integer", "description": "Names the traveler in "
                                                 "DELETE /organization/travelers/{traveler_id}."},
        "email": TEXT, "name": TEXT}},
    "Invitation": {"type": "object", "required": [
        "id", "kind", "email", "name", "role", "state", "created_at", "expires_at"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["traveler", "colleague"]},
            "email": TEXT, "name": TEXT,
            "role": {"type": ["string", "null"], "enum": ["admin", "viewer", None],
                     "description": "A colleague's role once they accept; null for a "
                                    "traveler."},
            "state": {"type": "string", "enum": ["open", "expired", "revoked", "used"],
                      "description": "Listed invitations are open or expired."},
            "created_at": TS, "expires_at": TS, "invited_by": NULLABLE_STR}},
    "NewInvitation": {"type": "object", "required": ["kind", "email"],
                      "additionalProperties": False, "properties": {
        "kind": {"type": "string", "enum": ["traveler", "colleague"], "description": (
            "A traveler (an employee to link): owners and admins. A colleague (an employer "
            "user): owners only; an admin gets 403.")},
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "name": {"type": "string", "maxLength": 200},
        "role": {"type": "string", "enum": ["admin", "viewer"],
                 "description": "Required for a colleague; refused for a traveler."}}},
}

TRAVELER_ID = {"name": "traveler_id", "in": "path", "required": True,
               "schema": {"type": "integer"},
               "description": "The id from GET /organization/travelers (no email in URLs)."}
INVITATION_ID = {"name": "invitation_id", "in": "path", "required": True,
                 "schema": {"type": "integer"}}
ORGANIZATION = _ok("200", "The organization.", _ref("Organization"))

PATHS = {
    "/organization": {
        "get": _op("The caller's organization. " + READERS,
                   {**ORGANIZATION, **_errors(401, 403)}, tag=TAG),
        "patch": _op("Change the organization's details. " + ADMINS,
                     {**ORGANIZATION, **_errors(401, 403, 422)},
                     body={JSON: {"schema": _ref("OrganizationChanges")}}, tag=TAG)},
    "/organization/travelers": {"get": _op(
        "The travelers linked to the organization, oldest account first. " + READERS,
        {**_ok("200", "A page of linked travelers.", _list_of(_ref("LinkedTraveler"))),
         **_errors(401, 403, 422)}, params=PAGE, tag=TAG)},
    "/organization/travelers/{traveler_id}": {"delete": _op(
        "End the link with a traveler: the petitions they already filed with the "
        "organization stay visible to it, their drafts leave it, and what they file from "
        "now on is theirs alone. " + ADMINS + " Not a traveler of the organization: 404.",
        {**_ok("204", "The link is ended."), **_errors(401, 403, 404)},
        params=[TRAVELER_ID], tag=TAG)},
    "/organization/invitations": {
        "get": _op("Pending invitations (not accepted nor withdrawn: open or expired), "
                   "newest first. " + READERS,
                   {**_ok("200", "A page of invitations.", _list_of(_ref("Invitation"))),
                    **_errors(401, 403, 422)},
                   params=[{"name": "kind", "in": "query", "schema": {
                       "type": "string", "enum": ["traveler", "colleague"]}}, *PAGE],
                   tag=TAG),
        "post": _op("Invite a traveler or a colleague by email; the email is sent in the "
                    "background. Inviting the same email again replaces its pending "
                    "invitation (the old link stops working). An email whose account "
                    "cannot join (another role, already linked or a colleague, another "
                    "organization's colleague) is 422 naming email.",
                    {**_ok("201", "The invitation (its link is only in the email).",
                           _ref("Invitation")), **_errors(401, 403, 422)},
                    body={JSON: {"schema": _ref("NewInvitation")}}, tag=TAG)},
    "/organization/invitations/{invitation_id}": {"delete": _op(
        "Withdraw an invitation: its link stops working at once (colleagues': owners; "
        "travelers': owners and admins; a viewer or read-only key: 403). Already "
        "withdrawn or expired: 204 all the same. Already accepted: 409. Another "
        "organization's: 404.",
        {**_ok("204", "Withdrawn."), **_errors(401, 403, 404, 409)},
        params=[INVITATION_ID], tag=TAG)},
}
