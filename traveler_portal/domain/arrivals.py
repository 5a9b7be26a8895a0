"""The arrival at the port: a port officer finds the traveler's case (by the notice's
code, the receipt number, or passport number + date of birth), sees what to check before
admitting (warnings), and records the inspection's outcome.

An arrival is not a petition status: it is a row of its own and a public step of the
case's timeline (an ``Event`` whose title is the arrival's sentence, ``arrival_words``);
``workflow`` stays the only writer of status. The traveler hears of it like any public
step (notifications), the employer by webhook (``petition.arrival_recorded``).

Lookups by passport and birth date that find nothing are audited, and after
``ARRIVAL_LOOKUP_MISS_LIMIT`` of them in ``ARRIVAL_LOOKUP_WINDOW_MINUTES`` the officer's
further lookups are refused (429) until the window passes: a wrong pair answers exactly
like an unknown one (an empty list), so only throttling stops guessing.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Arrival, Event, Outcome, Petition, ReasonCode, Role, Status
from ..models.audit import AuditEntry
from ..models.enums import ARRIVAL_OUTCOMES
from ..models.users import utcnow
from . import (
    access,
    arrival_words,
    audit,
    integrations,
    notifications,
    people_updates,
    profile_lookup,
    reference,
    uow,
    verification,
)
from .errors import Conflict, DomainError, Forbidden, ValidationFailed

MISS_ACTION = "arrival.lookup_miss"
# Clocks differ a little between a port's workstation and the server.
CLOCK_SLACK = timedelta(minutes=5)
WARNING_TEXTS = {
    "no_decision": _l("There is no decision on this petition yet."),
    "denied": _l("The petition was denied."),
    "withdrawn": _l("The petition was withdrawn by the traveler."),
    "expired": _l("The approval has expired."),
    "outside_validity": _l("The arrival falls outside the approval's validity."),
    "other_port": _l("The approval names another port of entry."),
    "already_arrived": _l("An arrival is already recorded for this petition: record "
                          "another crossing only if this is a new trip."),
}


class LookupThrottled(DomainError):
    """Too many lookups by passport and birth date found nothing."""
    code, http_status = "rate_limited", 429


def _require_port_officer(user) -> None:
    if user.role != Role.PORT_OFFICER or not user.country:
        raise Forbidden(_("Only port officers record arrivals."))


def _visible(user):
    return (sa.select(Petition).where(access.visible_filter(user))
            .options(selectinload(Petition.decisions), selectinload(Petition.documents)))


def _seen(user, petitions: list[Petition], how: str) -> list[Petition]:
    for petition in petitions:
        audit.record(user, "arrival.case_view", "petition", petition.receipt_number,
                     petition, lookup=how)
    return petitions


# --- lookups ---------------------------------------------------------------------------

def lookup_by_receipt(user, receipt_number: str) -> list[Petition]:
    """The petition with this receipt number, if it is the officer's country's."""
    _require_port_officer(user)
    number = (receipt_number or "").strip().upper()
    found = db.session.scalars(_visible(user).where(Petition.receipt_number == number)).all()
    return _seen(user, list(found), "receipt_number")


def _misses(user) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["ARRIVAL_LOOKUP_WINDOW_MINUTES"])
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.actor_id == user.id, AuditEntry.action == MISS_ACTION,
        AuditEntry.at >= since))


def lookup_by_passport(user, passport_number: str, date_of_birth: date | None) -> list[Petition]:
    """The traveler's cases bound for the officer's country, newest first. A wrong pair
    and an unknown one answer alike (nothing); each miss is audited and counted."""
    _require_port_officer(user)
    if _misses(user) >= current_app.config["ARRIVAL_LOOKUP_MISS_LIMIT"]:
        raise LookupThrottled(_("Too many lookups found nothing. Wait %(minutes)d minutes, "
                                "or look the traveler up by receipt number.",
                                minutes=current_app.config["ARRIVAL_LOOKUP_WINDOW_MINUTES"]))
    travelers = profile_lookup.user_ids(passport_number, date_of_birth)
    found = db.session.scalars(_visible(user).where(Petition.traveler_id.in_(travelers))
                               .order_by(Petition.submitted_at.desc())).all() if travelers else []
    if not found:
        # Never the passport number itself: the trail is read by many.
        audit.record(user, MISS_ACTION, "lookup", "passport", None)
        return []
    return _seen(user, list(found), "passport")


def scanned_code(text: str) -> str:
    """The code in what a scanner typed: the code itself, or the verification URL the QR
    code holds (its ``code`` query parameter, else its last path segment)."""
    text = (text or "").strip()
    if "/" not in text and "?" not in text:
        return text
    parts = urlsplit(text)
    query = parse_qs(parts.query).get("code")
    return query[0].strip() if query else parts.path.rstrip("/").rsplit("/", 1)[-1]


def lookup_by_code(user, code: str) -> list[Petition]:
    """The petition a notice's verification code (its QR code) names, resolved through
    ``domain/verification.py``; nothing when the code is unknown or altered."""
    _require_port_officer(user)
    decision = verification.resolve(scanned_code(code))
    if decision is None:
        return []
    found = db.session.scalars(_visible(user).where(Petition.id == decision.petition_id)).all()
    return _seen(user, list(found), "code")


# --- warnings --------------------------------------------------------------------------

def warnings(petition: Petition, port_code: str | None = None,
             today: date | None = None) -> list[str]:
    """What the port officer must see before recording an arrival (codes of
    ``WARNING_TEXTS``), for an arrival at ``port_code`` (the petition's own when None)."""
    today = today or utcnow().date()
    found = []
    final = petition.final_decision
    if petition.status == Status.WITHDRAWN:
        found.append("withdrawn")
    elif final is None:
        found.append("no_decision")
    elif final.outcome == Outcome.DENIED:
        found.append("denied")
    elif petition.status == Status.EXPIRED:
        found.append("expired")
    elif (final.valid_from and today < final.valid_from) or \
            (final.valid_until and today > final.valid_until):
        found.append("outside_validity")
    if port_code and port_code != petition.port.code:
        found.append("other_port")
    if petition.arrivals:
        found.append("already_arrived")
    return found


def warning_texts(codes: list[str]) -> list[dict]:
    return [{"code": code, "message": str(WARNING_TEXTS[code])} for code in codes]


# --- recording -------------------------------------------------------------------------

@dataclass
class ArrivalInput:
    outcome: str
    port_code: str = ""
    admitted_until: date | None = None
    reason_code: str = ""
    inspection_started_at: datetime | None = None
    inspection_ended_at: datetime | None = None
    note: str = ""
    another_crossing: bool = False  # a new trip on the same approval
    category_code: str = ""  # quick entries without a petition only


def _port(user, code: str):
    code = (code or user.port_code or "").strip().upper()
    port = reference.port(user.country.value, code) if code else None
    if port is None:
        raise ValidationFailed(_("Choose the port of entry."), {
            "port_of_entry": _("Choose a port of entry of your country.")})
    return port


def _check_times(data: ArrivalInput, now: datetime, errors: dict) -> None:
    start, end = data.inspection_started_at, data.inspection_ended_at
    if start is None:
        errors["inspection_started_at"] = _("Give the time the inspection started.")
    if end is None:
        errors["inspection_ended_at"] = _("Give the time the inspection ended.")
    if start and end and end < start:
        errors["inspection_ended_at"] = _("The inspection cannot end before it started.")
    elif end and end > now + CLOCK_SLACK:
        errors["inspection_ended_at"] = _("The inspection cannot end in the future.")
    elif start and end and end - start > timedelta(hours=24):
        errors["inspection_ended_at"] = _("An inspection lasts less than a day.")


def _check(petition: Petition | None, data: ArrivalInput, now: datetime) -> dict:
    errors = {}
    if data.outcome not in ARRIVAL_OUTCOMES:
        return {"outcome": _("Choose admitted, referred to secondary, refused entry or "
                             "admitted under another status.")}
    _check_times(data, now, errors)
    if data.outcome == "admitted":
        final = petition.final_decision if petition else None
        if petition is not None and (final is None or final.outcome != Outcome.APPROVED):
            errors["outcome"] = _("Only an approved petition admits under its category; "
                                  "record \u201cadmitted under another status\u201d instead.")
        if data.admitted_until is None:
            errors["admitted_until"] = _("Give the date the traveler is admitted until.")
        elif data.admitted_until < now.date():
            errors["admitted_until"] = _("The admission must end today or later.")
        elif final is not None and final.valid_until and data.admitted_until > final.valid_until:
            errors["admitted_until"] = _(
                "Under the approved category, the admission ends at the latest with the "
                "approval (%(date)s).", date=final.valid_until.isoformat())
    if data.outcome == "refused":
        known = set(db.session.scalars(sa.select(ReasonCode.code)
                                       .where(ReasonCode.active.is_(True))))
        if data.reason_code not in known:
            errors["reason_code"] = _("Choose the reason for refusing entry.")
    return errors


def _event(petition: Petition, user, arrival: Arrival) -> Event:
    event = Event(petition_id=petition.id, at=arrival.inspection_ended_at, actor_id=user.id,
                  action=arrival_words.ACTION, from_status=petition.status,
                  to_status=petition.status, public=True, message="")
    db.session.add(event)
    db.session.flush()
    arrival.event_id = event.id
    db.session.flush()
    db.session.refresh(event)  # event.arrival, for its title
    return event


@uow.atomic
def record(user, receipt_number: str, data: ArrivalInput) -> Arrival:
    """Record the inspection of the traveler of ``receipt_number``; the traveler and the
    employer are told. A second arrival for the same petition needs ``another_crossing``."""
    _require_port_officer(user)
    petition = access.get_petition(user, receipt_number, lock=True)
    access.require_port_officer(user, petition)
    now = utcnow()
    port = _port(user, data.port_code)
    errors = _check(petition, data, now)
    if errors:
        raise ValidationFailed(_("The arrival is not complete."), errors)
    if petition.arrivals and not data.another_crossing:
        raise Conflict(_("An arrival is already recorded for this petition. If this is a "
                         "new trip, record another crossing."))
    final = petition.final_decision
    arrival = Arrival(
        petition_id=petition.id, country=petition.destination_country, port_id=port.id,
        category_id=petition.category_id, officer_id=user.id, outcome=data.outcome,
        admitted_until=data.admitted_until if data.outcome == "admitted" else None,
        reason_code=data.reason_code if data.outcome == "refused" else None,
        inspection_started_at=data.inspection_started_at,
        inspection_ended_at=data.inspection_ended_at, note=(data.note or "").strip()[:2000],
        warnings=warnings(petition, port.code, data.inspection_started_at.date()),
        recorded_at=now)
    db.session.add(arrival)
    db.session.flush()
    db.session.expire(petition, ["arrivals"])
    event = _event(petition, user, arrival)
    title = arrival_words.title(event)
    notifications.on_public_event(petition, event, title)  # in the traveler's language
    people_updates.on_public_event(petition, event, str(title))  # the employer's admins
    integrations.on_arrival(petition, event, title, arrival_json(arrival))
    audit.record(user, "arrival.record", "petition", petition.receipt_number, petition,
                 outcome=arrival.outcome, port=port.code, warnings=arrival.warnings,
                 another_crossing=bool(data.another_crossing),
                 decision_id=final.id if final else None)
    return arrival


@uow.atomic
def record_without_petition(user, data: ArrivalInput) -> Arrival:
    """The quick "no pre-adjudication" entry: a business traveler inspected without a
    decision made in advance (outcome, category, times; nothing personal), so supervisors
    can compare inspection times with and without pre-adjudication."""
    _require_port_officer(user)
    port = _port(user, data.port_code)
    errors = _check(None, data, utcnow())
    category = reference.category(user.country.value, data.category_code) \
        if data.category_code else None
    if data.category_code and category is None:
        errors["category"] = _("Choose a category of your country.")
    if errors:
        raise ValidationFailed(_("The entry is not complete."), errors)
    arrival = Arrival(country=user.country, port_id=port.id,
                      category_id=category.id if category else None, officer_id=user.id,
                      outcome=data.outcome,
                      admitted_until=data.admitted_until if data.outcome == "admitted" else None,
                      reason_code=data.reason_code if data.outcome == "refused" else None,
                      inspection_started_at=data.inspection_started_at,
                      inspection_ended_at=data.inspection_ended_at,
                      note=(data.note or "").strip()[:2000], warnings=[], recorded_at=utcnow())
    db.session.add(arrival)
    db.session.flush()
    audit.record(user, "arrival.record_unadjudicated", "arrival", arrival.id, None,
                 outcome=arrival.outcome, port=port.code)
    return arrival


def of_petition(petition: Petition) -> list[Arrival]:
    """The petition's arrivals, oldest first. Recording one always writes its timeline
    step (``_event``), so a petition whose events are loaded and hold no arrival step has
    none: no statement is spent asking (the status page and the API's petition)."""
    events = sa.inspect(petition).dict.get("events")  # (None: not loaded)
    if isinstance(events, list) and not any(e.action == arrival_words.ACTION for e in events):
        return []
    return petition.arrivals


def arrival_json(arrival: Arrival) -> dict:
    """An arrival as the traveler, the employer and API clients read it (docs/api.md)."""
    return {"at": arrival.inspection_ended_at.isoformat(timespec="seconds"),
            "port_of_entry": arrival.port.code, "port_name": arrival.port.name,
            "outcome": arrival.outcome,
            "admitted_until": arrival.admitted_until.isoformat()
            if arrival.admitted_until else None,
            "title": arrival_words.sentence(arrival)}


def recent(user, limit: int = 20) -> list[Arrival]:
    """The officer's own latest entries, newest first."""
    _require_port_officer(user)
    return db.session.scalars(sa.select(Arrival).where(Arrival.officer_id == user.id)
                              .order_by(Arrival.id.desc()).limit(limit)).all()
