"""The traveler's identity as a petition needs it: complete before filing, and shown to
the officers who decide (and check it at the border).

Complete means: the name as in the passport (given names and surname), a citizenship
(ISO 3166 alpha-2), a passport number and an expiry date that covers the requested stay,
the date of birth, and the prior-refusals question answered (with details when yes). The
details live in the traveler's profile (``profiles.py``; passport number and date of birth
encrypted at rest).

Who sees it (shared/API.md, Identity): the traveler, and officers (and port officers) of
the petition's destination country; every such read by staff is audited
(``identity.view``). Supervisors and employers do not see it.
"""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Petition, Role, Status, TravelerProfile, User
from . import audit, casework, profiles

# Staff roles that see a case's identity (port officers check it at the border).
IDENTITY_ROLES = {Role.OFFICER.value, "port_officer"}


def stay_end(petition: Petition):
    """The last day the passport must cover: the requested end, else the travel date."""
    return petition.requested_end or petition.travel_date


def missing(traveler: User, petition: Petition | None = None) -> list[str]:
    """What is missing or wrong in ``traveler``'s identity (for ``petition``'s stay), in
    plain words; empty when complete."""
    profile = profiles.get(traveler)
    if profile is None:
        return [_("Your identity is not filled in: your name as in your passport, "
                  "citizenship, passport, date of birth and any prior refusals.")]
    problems = []
    if not profile.given_names.strip() or not profile.family_name.strip():
        problems.append(_("Your given names and surname as in your passport."))
    if not profile.citizenships:
        problems.append(_("Your citizenship."))
    if not profile.passport_number:
        problems.append(_("Your passport number."))
    if profile.passport_expiry is None:
        problems.append(_("Your passport's expiry date."))
    elif petition is not None and stay_end(petition) and \
            profile.passport_expiry < stay_end(petition):
        problems.append(_("Your passport expires on %(date)s, before the end of the stay "
                          "(%(end)s): renew it and update your profile, or shorten the stay.",
                          date=profile.passport_expiry.isoformat(),
                          end=stay_end(petition).isoformat()))
    if profile.date_of_birth is None:
        problems.append(_("Your date of birth."))
    if profile.prior_refusals and not profile.prior_refusals_details.strip():
        problems.append(_("When, where and why you were refused before."))
    return problems


def submission_errors(petition: Petition) -> dict:
    """``{"profile": message}`` when the traveler's identity stops the submission."""
    problems = missing(petition.traveler, petition)
    if not problems:
        return {}
    return {"profile": _("Complete your identity in your profile before you submit: "
                         "%(what)s", what=" ".join(problems))}


def may_see(viewer: User | None, petition: Petition) -> bool:
    if viewer is None:
        return False
    if viewer.role == Role.TRAVELER:
        return viewer.id == petition.traveler_id
    return viewer.role.value in IDENTITY_ROLES and viewer.country is not None and \
        viewer.country == petition.destination_country


_UNSET = object()


def profiles_for(petitions) -> dict:
    """Traveler id → profile, for a page of petitions in one query."""
    ids = {p.traveler_id for p in petitions}
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(TravelerProfile).where(
        TravelerProfile.user_id.in_(list(ids))))
    return {row.user_id: row for row in rows}


def as_dict(petition: Petition, profile=_UNSET) -> dict | None:
    """The identity block of the petition JSON (shared/API.md), or None without a profile.
    ``profile``: the traveler's, when a list loaded them in one query."""
    if profile is _UNSET:
        profile = profiles.get(petition.traveler)
    if profile is None:
        return None
    return {"name": f"{profile.given_names} {profile.family_name}".strip(),
            "given_names": profile.given_names, "surname": profile.family_name,
            "citizenship": profile.citizenships[0] if profile.citizenships else None,
            "citizenships": list(profile.citizenships or []),
            "passport_number": profile.passport_number,
            "passport_country": profile.passport_country,
            "passport_expiry": profile.passport_expiry.isoformat()
            if profile.passport_expiry else None,
            "date_of_birth": profile.date_of_birth.isoformat()
            if profile.date_of_birth else None,
            "refused_before": bool(profile.prior_refusals),
            "refusal_details": profile.prior_refusals_details or ""}


def for_viewer(viewer: User, petition: Petition, via: str = "web", profile=_UNSET,
               record: bool = True) -> dict | None:
    """The identity ``viewer`` may see on ``petition`` (None otherwise); a staff read is
    recorded in the audit trail, in the caller's transaction (``record=False``: the
    caller records a page of them at once, ``audit.staff_views``)."""
    if not may_see(viewer, petition):
        return None
    if record:
        audit.staff_read(viewer, "identity.view", "petition", petition.receipt_number,
                         petition, via=via)
    return as_dict(petition, profile)


EARLIER_DECISIONS_FROM = 50  # the traveler's most recent petitions the panel looks through


def decided_among(earlier: list[Petition]) -> list[Petition]:
    return [p for p in earlier if p.status in (Status.APPROVED, Status.DENIED, Status.EXPIRED)
            and p.final_decision]


def earlier_decisions(viewer: User, petition: Petition) -> list[Petition]:
    """The traveler's other decided petitions ``viewer`` may see (approved, denied or
    expired since), most recent first: what the officer weighs beside the identity."""
    earlier, _total = casework.earlier_petitions(viewer, petition,
                                                 limit=EARLIER_DECISIONS_FROM)
    return decided_among(earlier)


def panel(viewer: User, petition: Petition, locale: str = "en", earlier=None,
          record: bool = True) -> dict:
    """The officer case page's identity panel: the identity with the passport number for
    an officer of the case's country (masked for other staff, e.g. a supervisor), and the
    traveler's earlier decisions, approvals and denials alike (in the petitions ``viewer``
    may see). Audited as a staff read (``record=False``: the caller records it with the
    page's other reads; the details to record are ``panel["audit"]``). ``earlier``: the
    traveler's ``EARLIER_DECISIONS_FROM`` most recent other petitions, when the page has
    read them already (``casework.earlier_petitions``)."""
    data = as_dict(petition, petition.traveler.profile)
    full = may_see(viewer, petition)
    if data is not None:
        for name in ("date_of_birth", "passport_expiry"):  # dates, for the page's formats
            data[name] = date.fromisoformat(data[name]) if data[name] else None
        if not full:
            data["passport_number"] = profiles.masked(data["passport_number"])
    details = {"via": "web", "passport_shown": full}
    if record:
        audit.staff_read(viewer, "identity.view", "petition", petition.receipt_number,
                         petition, **details)
    return {"identity": data, "full_passport": full,
            "earlier_decisions": earlier_decisions(viewer, petition) if earlier is None
            else decided_among(earlier),
            "countries": dict(profiles.countries(locale)), "audit": details}
