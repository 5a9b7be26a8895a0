"""The traveler's identity over the API (shared/API.md, Identity): ``GET`` and ``PUT
/me/profile``, validated by the profile page's own form and rules (``ProfileForm``,
``profiles.save``), under the API's field names."""
from flask import g, jsonify
from flask_babel import gettext as _

from ..domain import identity, profiles
from ..domain.errors import ValidationFailed
from ..forms.profile import ProfileForm
from ..models import Role
from .blueprint import bp
from .helpers import api_auth, form_from_json, json_body

# The profile form's field → the API's name for it.
API_NAMES = {"family_name": "surname", "citizenships": "citizenship",
             "prior_refusals": "refused_before", "prior_refusals_details": "refusal_details",
             "preferred_language": "language"}


def _renamed(fields: dict) -> dict:
    return {API_NAMES.get(name, name): message for name, message in fields.items()}


def profile_json(user) -> dict:
    profile = profiles.get(user)
    problems = identity.missing(user)
    data = {"given_names": "", "surname": "", "citizenship": None, "citizenships": [],
            "passport_number": None, "passport_country": None, "passport_expiry": None,
            "date_of_birth": None, "refused_before": None, "refusal_details": "",
            "residence_country": None, "language": profiles.language_of(user)}
    if profile is not None:
        data.update(
            given_names=profile.given_names, surname=profile.family_name,
            citizenship=profile.citizenships[0] if profile.citizenships else None,
            citizenships=list(profile.citizenships or []),
            passport_number=profile.passport_number, passport_country=profile.passport_country,
            passport_expiry=profile.passport_expiry.isoformat()
            if profile.passport_expiry else None,
            date_of_birth=profile.date_of_birth.isoformat() if profile.date_of_birth else None,
            refused_before=bool(profile.prior_refusals),
            refusal_details=profile.prior_refusals_details,
            residence_country=profile.residence_country)
    data.update(complete=not problems, missing=problems)
    return data


def _form_data(data: dict, profile) -> dict:
    """The JSON body as the profile form's fields; the issuing and residence countries
    default to what is on file, else to the citizenship (the API's contract names neither)."""
    citizenships = data.get("citizenships")
    if not isinstance(citizenships, list):
        citizenships = [data["citizenship"]] if data.get("citizenship") else []
    citizenship = citizenships[0] if citizenships else None
    refused = data.get("refused_before")
    return {
        "given_names": data.get("given_names"), "family_name": data.get("surname"),
        "citizenships": citizenships, "passport_number": data.get("passport_number"),
        "passport_country": data.get("passport_country")
        or (profile.passport_country if profile else None) or citizenship,
        "passport_expiry": data.get("passport_expiry"), "date_of_birth": data.get("date_of_birth"),
        "residence_country": data.get("residence_country")
        or (profile.residence_country if profile else None) or citizenship,
        "residence_address": data.get("residence_address",
                                      profile.residence_address if profile else ""),
        "prior_refusals": {True: "yes", False: "no"}.get(refused) if isinstance(refused, bool)
        else refused,
        "prior_refusals_details": data.get("refusal_details"),
        "preferred_language": data.get("language")
        or (profile.preferred_language if profile else "en")}


@bp.get("/me/profile")
@api_auth(Role.TRAVELER)
def get_profile():
    """The caller's identity, and whether it is complete enough to file."""
    return jsonify(profile_json(g.api_user))


@bp.put("/me/profile")
@api_auth(Role.TRAVELER)
def put_profile():
    """Replace the caller's identity; the passport number on file is kept when omitted."""
    data = json_body()
    form = form_from_json(ProfileForm, _form_data(data, profiles.get(g.api_user)))
    form.set_countries("en")
    errors = {} if form.validate() else form.first_errors()
    if not isinstance(data.get("refused_before"), bool):
        errors["prior_refusals"] = _("Answer true or false.")
    # The profile rules (dates, passport number, refusal details), every problem at once.
    for name, message in profiles.problems(g.api_user, form.to_input()).items():
        errors.setdefault(name, message)
    for derived in ("passport_country", "residence_country"):
        if derived not in data and "citizenships" in errors:
            errors.pop(derived, None)  # taken from the citizenship, already named at fault
    if errors:
        raise ValidationFailed(_("Some details of the profile are not valid."),
                               _renamed(errors))
    profiles.save(g.api_user, form.to_input())
    return jsonify(profile_json(g.api_user))
