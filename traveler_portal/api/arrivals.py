"""Port officers: look a traveler up and record the arrival (docs/api.md "Arrivals at the
port"); and the public processing times."""
from datetime import date, datetime

from flask import g, jsonify, request
from flask_babel import gettext as _

from ..domain import arrivals, processing_times, profiles
from ..models import Role
from . import serializers
from .blueprint import bp
from .helpers import ApiError, api_auth, api_public, json_body


def identity(petition) -> dict | None:
    """The traveler's identity as in the passport, for the port officer's check."""
    profile = profiles.get(petition.traveler)
    if profile is None:
        return None
    return {"name": " ".join(p for p in (profile.given_names, profile.family_name) if p)
            or petition.traveler.name,
            "citizenship": (profile.citizenships or [None])[0],
            "citizenships": list(profile.citizenships or []),
            "passport_number": profile.passport_number,
            "passport_country": profile.passport_country,
            "passport_expiry": serializers._date(profile.passport_expiry),
            "date_of_birth": serializers._date(profile.date_of_birth),
            "refused_before": bool(profile.prior_refusals),
            "refusal_details": profile.prior_refusals_details or ""}


def _date_arg(value, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {field: _("Give a date as YYYY-MM-DD.")}) from None


def _timestamp(value, field: str, errors: dict) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))  # "Z" too (Python 3.11)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        errors[field] = _("Give an ISO 8601 timestamp with its UTC offset.")
        return None
    return moment


@bp.get("/arrivals/lookup")
@api_auth(Role.PORT_OFFICER)
def arrival_lookup():
    """Find the traveler's cases: ?code=, ?receipt_number=, or ?passport_number= with
    ?date_of_birth=. No match is an empty list, whichever way was asked."""
    user, args = g.api_user, request.args
    if args.get("code"):
        found = arrivals.lookup_by_code(user, args["code"])
    elif args.get("receipt_number"):
        found = arrivals.lookup_by_receipt(user, args["receipt_number"])
    elif args.get("passport_number") or args.get("date_of_birth"):
        if not args.get("passport_number") or not args.get("date_of_birth"):
            raise ApiError(422, "validation_failed", _("Some fields are not valid."), {
                "passport_number" if not args.get("passport_number") else "date_of_birth":
                    _("Give the passport number and the date of birth together.")})
        found = arrivals.lookup_by_passport(user, args["passport_number"],
                                           _date_arg(args["date_of_birth"], "date_of_birth"))
    else:
        raise ApiError(422, "validation_failed", _("Say whom to look up."), {
            "code": _("Give code, receipt_number, or passport_number and date_of_birth.")})
    port = user.port_code
    return jsonify(items=[dict(serializers.petition(p, user), identity=identity(p),
                               warnings=arrivals.warning_texts(arrivals.warnings(p, port)))
                          for p in found], next_cursor=None)


@bp.post("/petitions/<receipt_number>/arrivals")
@api_auth(Role.PORT_OFFICER)
def record_arrival(receipt_number):
    """Record the inspection's outcome; 409 for a second arrival without
    ``"another_crossing": true``."""
    data, errors = json_body(), {}
    started = _timestamp(data.get("inspection_started_at"), "inspection_started_at", errors)
    ended = _timestamp(data.get("inspection_ended_at"), "inspection_ended_at", errors)
    until = None
    if data.get("admitted_until"):
        try:
            until = date.fromisoformat(str(data["admitted_until"]))
        except ValueError:
            errors["admitted_until"] = _("Give a date as YYYY-MM-DD.")
    if errors:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."), errors)
    arrival = arrivals.record(g.api_user, receipt_number, arrivals.ArrivalInput(
        outcome=str(data.get("outcome") or ""), port_code=str(data.get("port_of_entry") or ""),
        admitted_until=until, reason_code=str(data.get("reason_code") or ""),
        inspection_started_at=started, inspection_ended_at=ended,
        note=str(data.get("note") or ""), another_crossing=data.get("another_crossing") is True))
    return jsonify(dict(arrivals.arrival_json(arrival), receipt_number=receipt_number.upper(),
                        warnings=arrivals.warning_texts(arrival.warnings))), 201


@bp.get("/processing-times")
@api_public
def processing_times_json():
    """Published processing times of a country (?country=US|CA), per queue and category,
    as the last periodic computation left them."""
    country = (request.args.get("country") or "").upper()
    if country not in ("US", "CA"):
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {"country": _("Choose US or CA.")})
    rows, computed_at = processing_times.published(country)
    return jsonify(items=[processing_times.row_json(r) for r in rows],
                   computed_at=computed_at.isoformat(timespec="seconds") if computed_at
                   else None)
