"""A person's language and time zone: the header's switch and the settings page record
them where the rest of the portal reads them (a traveler's profile, else the account)."""
from zoneinfo import available_timezones

from .. import i18n
from ..extensions import db
from . import uow

LANGUAGES = i18n.LANGUAGES


@uow.atomic
def set_language(user, lang: str) -> None:
    """Remember ``lang`` for ``user``: on the profile when there is one (the traveler's
    stated preference), and on the account in any case (staff have no profile)."""
    if lang not in LANGUAGES:
        raise ValueError(lang)
    profile = getattr(user, "profile", None)
    if profile is not None:
        profile.preferred_language = lang
    user.preferred_language = lang
    db.session.add(user)
    i18n.forget_stated_language()


@uow.atomic
def set_time_zone(user, zone: str | None) -> None:
    """Times are shown in ``zone`` (an IANA name); empty = the default for this person."""
    zone = (zone or "").strip() or None
    if zone is not None and zone not in available_timezones():
        raise ValueError(zone)
    user.time_zone = zone
    db.session.add(user)
