"""The employer's side of the product: the organization's details, its linked travelers
and its pending invitations; and the dashboard's filters on ``GET /petitions``.

The same rules as the organization's pages (``traveler_portal/organization.py``): the
same WTForms forms validate the input and the domain services (``organizations``,
``invitations``) decide who may do what: any member of the organization (viewers and
read-only API keys included) reads; owners and admins change things; colleague
invitations are the owners'. Another organization's traveler or invitation is 404.
"""
import re
from datetime import date

import sqlalchemy as sa
from flask import g, jsonify, request
from flask_babel import gettext as _

from ..domain import employer_dashboard as board
from ..domain import invitations, keyset, organizations
from ..domain.errors import ValidationFailed
from ..extensions import db
from ..forms.organization import DetailsForm, InviteForm
from ..models import Category, Invitation, Organization, Role, User
from . import serializers
from .blueprint import bp
from .helpers import (
    ApiError,
    api_auth,
    form_from_json,
    json_body,
    next_cursor,
    page_args,
)

COUNTRIES = ("US", "CA")
INVITATION_KINDS = ("traveler", "colleague")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TRAVELER_SEARCH = 200  # the dashboard's form keeps as much
OLDEST_ACCOUNT_FIRST = keyset.Order(keyset.Key(User.id))
NEWEST_INVITATION_FIRST = keyset.Order(keyset.Key(Invitation.id, descending=True))


# --- GET /petitions: the dashboard's filters ------------------------------------------

def _date_arg(name: str, errors: dict) -> date | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        if not ISO_DATE.match(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Give a date as YYYY-MM-DD.")
        return None


def petition_filters() -> board.Filters:
    """The employer dashboard's filters from the query string; 422 naming each bad one.
    The filtering itself is ``employer_dashboard.apply_filters``, the dashboard's."""
    args, errors = request.args, {}
    country = args.get("country", "")
    if country and country not in COUNTRIES:
        errors["country"] = _("Use US or CA.")
    category = args.get("category", "")
    if category:
        # Retired categories count: older petitions keep theirs.
        known = sa.select(Category.id).where(Category.code == category)
        if country in COUNTRIES:
            known = known.where(Category.country == country)
        if db.session.scalar(known.limit(1)) is None:
            errors["category"] = (
                _("%(country)s has no category %(code)s.", country=country, code=category)
                if country in COUNTRIES else _("Unknown category %(code)s.", code=category))
    traveler = args.get("traveler", "").strip()
    if len(traveler) > MAX_TRAVELER_SEARCH:
        errors["traveler"] = _("Give at most %(count)d characters.",
                               count=MAX_TRAVELER_SEARCH)
    travel_from = _date_arg("travel_from", errors)
    travel_to = _date_arg("travel_to", errors)
    if travel_from and travel_to and travel_to < travel_from:
        errors["travel_to"] = _("The end of the period is before its start.")
    if errors:
        raise ApiError(422, "validation_failed", _("Some filters are not valid."), errors)
    return board.Filters(country=country, category=category, traveler=traveler,
                         travel_from=travel_from, travel_to=travel_to)


# --- The organization -----------------------------------------------------------------

def _organization() -> Organization:
    organizations.require_member(g.api_user)
    return db.session.get(Organization, g.api_user.organization_id)


def _organization_json(org: Organization) -> dict:
    return {"id": org.id, "name": org.name,
            "number_kind": organizations.number_kind(org.business_number),
            "business_number": org.business_number or None,
            "address": org.address or "",
            "contact": {"name": org.contact_name or "", "email": org.contact_email or "",
                        "phone": org.contact_phone or ""},
            "digest_enabled": bool(org.digest_enabled)}


TEXT_FIELDS = ("name", "number_kind", "business_number", "address")
CONTACT_FIELDS = ("name", "email", "phone")
READ_ONLY = ("id",)  # a client may send back what it read


def _text_or_error(value, name: str, errors: dict) -> str | None:
    if isinstance(value, str):
        return value
    errors[name] = _("Give a text value.")
    return None


def _details_input(org: Organization, data: dict) -> dict:
    """The stored details with the changes sent (a partial update), as the page's form
    fields; 422 naming each field of the wrong type or unknown."""
    fields = {"name": org.name, "number_kind": organizations.number_kind(org.business_number),
              "business_number": org.business_number, "address": org.address,
              "contact_name": org.contact_name, "contact_email": org.contact_email,
              "contact_phone": org.contact_phone, "digest_enabled": org.digest_enabled}
    errors = {}
    for key, value in data.items():
        if key in TEXT_FIELDS:
            fields[key] = _text_or_error(value, key, errors)
        elif key == "contact":
            if not isinstance(value, dict):
                errors["contact"] = _("Give an object with name, email and phone.")
                continue
            for part, text in value.items():
                if part in CONTACT_FIELDS:
                    fields[f"contact_{part}"] = _text_or_error(text, f"contact.{part}", errors)
                else:
                    errors[f"contact.{part}"] = _("Unknown field.")
        elif key == "digest_enabled":
            if isinstance(value, bool):
                fields["digest_enabled"] = value
            else:
                errors["digest_enabled"] = _("Give true or false.")
        elif key not in READ_ONLY:
            errors[key] = _("Unknown field.")
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), errors)
    # A BooleanField reads any value but "false" as checked: send it the page's way.
    fields["digest_enabled"] = "y" if fields["digest_enabled"] else None
    return fields


def _api_names(exc: ValidationFailed) -> ValidationFailed:
    """The page's field names as the API's (contact_email → contact.email)."""
    renamed = {(f"contact.{name[len('contact_'):]}" if name.startswith("contact_") else name):
               message for name, message in (exc.fields or {}).items()}
    return ValidationFailed(exc.message, renamed)


@bp.get("/organization")
@api_auth(Role.EMPLOYER)
def get_organization():
    """The caller's organization: details, contact and the weekly digest setting."""
    return jsonify(_organization_json(_organization()))


@bp.patch("/organization")
@api_auth(Role.EMPLOYER)
def update_organization():
    """Change some of the details (owners and admins): the page's form and rules."""
    org = _organization()
    organizations.require_org_admin(g.api_user)  # before validation, as the page
    form = form_from_json(DetailsForm, _details_input(org, json_body()))
    try:
        if not form.validate():
            raise ValidationFailed(_("The details could not be saved."), form.first_errors())
        org = organizations.update_details(
            g.api_user, name=form.name.data, number_kind=form.number_kind.data,
            business_number=form.business_number.data, address=form.address.data,
            contact_name=form.contact_name.data, contact_email=form.contact_email.data,
            contact_phone=form.contact_phone.data, digest_enabled=form.digest_enabled.data)
    except ValidationFailed as exc:
        raise _api_names(exc) from None
    return jsonify(_organization_json(org))


# --- Linked travelers -----------------------------------------------------------------

@bp.get("/organization/travelers")
@api_auth(Role.EMPLOYER)
def list_travelers():
    """The travelers linked to the organization, in keyset pages (oldest account first)."""
    organizations.require_member(g.api_user)
    limit, after = page_args(OLDEST_ACCOUNT_FIRST)
    query = sa.select(User).where(User.organization_id == g.api_user.organization_id,
                                  User.role == Role.TRAVELER)
    rows, last = keyset.fetch(query, OLDEST_ACCOUNT_FIRST, after, limit,
                              key_of=lambda u: (u.id,), scalars=True)
    return jsonify(items=[{"id": u.id, "email": u.email, "name": u.name} for u in rows],
                   next_cursor=next_cursor(OLDEST_ACCOUNT_FIRST, last))


@bp.delete("/organization/travelers/<int:traveler_id>")
@api_auth(Role.EMPLOYER)
def end_traveler_link(traveler_id):
    """End the link with a traveler (owners and admins): petitions already filed stay
    with the organization, drafts leave it (``organizations.end_link``). The traveler is
    named by the id the list gives, never by email: addresses do not belong in URLs
    (proxy and server logs, browser history)."""
    organizations.require_org_admin(g.api_user)  # before the lookup, as the page
    # end_link answers 404 for anyone who is not a traveler of the caller's organization.
    organizations.end_link(g.api_user, traveler_id)
    return "", 204


# --- Invitations ----------------------------------------------------------------------

def _invitation_json(invitation: Invitation) -> dict:
    return {"id": invitation.id, "kind": invitation.kind, "email": invitation.email,
            "name": invitation.name, "role": invitation.org_role,
            "state": invitations.state(invitation),
            "created_at": serializers._ts(invitation.created_at),
            "expires_at": serializers._ts(invitation.expires_at),
            "invited_by": invitation.created_by.email if invitation.created_by else None}


@bp.get("/organization/invitations")
@api_auth(Role.EMPLOYER)
def list_invitations():
    """Pending invitations (neither accepted nor withdrawn; state open or expired),
    newest first, in keyset pages; ``?kind=`` keeps one kind."""
    organizations.require_member(g.api_user)
    limit, after = page_args(NEWEST_INVITATION_FIRST)
    kinds = INVITATION_KINDS
    kind = request.args.get("kind")
    if kind is not None:
        if kind not in INVITATION_KINDS:
            raise ApiError(422, "validation_failed", _("Unknown kind."),
                           {"kind": _("Use traveler or colleague.")})
        kinds = (kind,)
    query = sa.select(Invitation).where(invitations.open_in(g.api_user.organization_id, kinds))
    rows, last = keyset.fetch(query, NEWEST_INVITATION_FIRST, after, limit,
                              key_of=lambda i: (i.id,), scalars=True)
    return jsonify(items=[_invitation_json(i) for i in rows],
                   next_cursor=next_cursor(NEWEST_INVITATION_FIRST, last))


@bp.post("/organization/invitations")
@api_auth(Role.EMPLOYER)
def create_invitation():
    """Invite a traveler (owners and admins) or a colleague with a role (owners); the
    email is sent by the outbox task, as from the page. Inviting the same email again
    replaces its pending invitation."""
    organizations.require_org_admin(g.api_user)  # a viewer can invite no one
    data = json_body()
    kind = data.get("kind")
    if kind not in INVITATION_KINDS:
        raise ValidationFailed(_("Choose the kind of invitation."),
                               {"kind": _("Use traveler or colleague.")})
    if kind == "colleague":
        organizations.require_owner(g.api_user)
    errors, fields = {}, {}
    for name in ("email", "name"):
        if data.get(name) is not None:
            fields[name] = _text_or_error(data[name], name, errors)
    role = data.get("role")
    if kind == "colleague":
        if role is None:
            errors["role"] = _("Choose admin or viewer.")
        else:
            fields["org_role"] = _text_or_error(role, "role", errors)
    elif role is not None:
        errors["role"] = _("Only a colleague invitation has a role.")
    unknown = set(data) - {"kind", "email", "name", "role"}
    errors.update({name: _("Unknown field.") for name in sorted(unknown)})
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), errors)
    form = form_from_json(InviteForm, fields)
    try:
        if not form.validate():
            raise ValidationFailed(_("The invitation could not be sent."),
                                   form.first_errors())
        invitation = invitations.invite(g.api_user, kind, form.email.data,
                                        form.name.data or "",
                                        form.org_role.data if kind == "colleague" else None)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, {("role" if name == "org_role" else name): text
                                             for name, text in exc.fields.items()}) from None
    return jsonify(_invitation_json(invitation)), 201


@bp.delete("/organization/invitations/<int:invitation_id>")
@api_auth(Role.EMPLOYER)
def revoke_invitation(invitation_id):
    """Withdraw an invitation (colleagues': owners; travelers': owners and admins): its
    link stops working at once. Withdrawing one already withdrawn or expired is a no-op;
    one already accepted is 409 (end the link or remove the colleague instead)."""
    organizations.require_org_admin(g.api_user)  # as the page, before the lookup
    invitation = invitations.revoke(g.api_user, invitation_id)
    if invitation.accepted_at is not None:
        raise ApiError(409, "conflict", _("This invitation was already accepted."))
    return "", 204
