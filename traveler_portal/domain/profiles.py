"""The traveler's profile: kept once, reused for every petition.

The passport number and the date of birth are encrypted at rest by their column types
(``models/crypto.py``); this module never logs them and shows the passport number only
masked. Country names come from CLDR (the maintained ``babel`` package), not a hand list.
"""
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa
from babel import Locale
from flask_babel import gettext as _

from .. import i18n
from ..extensions import db
from ..models import Petition, TravelerProfile, User
from ..models.crypto import EncryptedText, rotate
from ..models.users import utcnow
from . import uow
from .errors import ValidationFailed

LANGUAGES = ("en", "fr")
# CLDR territory codes that are not countries (EU, UN, pseudo-locales, unknown region).
NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}
PASSPORT_PATTERN = re.compile(r"^[A-Z0-9]{6,20}$")
MASK = "••••"


def countries(locale: str = "en") -> list[tuple[str, str]]:
    """(ISO 3166 alpha-2 code, name in ``locale``), by name; US and Canada first."""
    return list(_countries(locale or "en"))


@cache
def _countries(locale: str) -> tuple[tuple[str, str], ...]:
    # CLDR's names never change while the process runs: sorted once per language (the
    # case page's identity panel sorted ~250 names on every request).
    names = Locale.parse(locale).territories
    rows = sorted(((code, name) for code, name in names.items()
                   if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES),
                  key=lambda row: row[1])
    first = [r for r in rows if r[0] in ("US", "CA")]
    first.sort(key=lambda r: r[0] != "US")
    return tuple(first + [r for r in rows if r[0] not in ("US", "CA")])


def country_codes() -> set[str]:
    return {code for code, _name in countries("en")}


def normalise_passport(number: str | None) -> str:
    return re.sub(r"[\s-]", "", number or "").upper()


def masked(number: str | None) -> str:
    """``••••1234``: the only way a saved passport number is ever shown back."""
    return f"{MASK}{number[-4:]}" if number else ""


@dataclass
class ProfileInput:
    given_names: str
    family_name: str
    date_of_birth: date
    citizenships: list
    passport_number: str | None  # None or empty: keep the one on file
    passport_country: str
    passport_expiry: date
    residence_country: str
    residence_address: str = ""
    prior_refusals: bool = False
    prior_refusals_details: str = ""
    preferred_language: str = "en"


def language_of(user: User | None) -> str:
    """The language a person reads what the portal sends them in: their profile's stated
    preference, else the account's (staff: the header's switch), else English. Emails and
    notices are written in it (``force_locale``), whoever caused them."""
    for lang in (getattr(getattr(user, "profile", None), "preferred_language", None),
                 getattr(user, "preferred_language", None)):
        if lang in LANGUAGES:
            return lang
    return "en"


def get(user: User) -> TravelerProfile | None:
    """The person's profile: the one loaded with the account when its query asked for it
    (``joinedload(...User.profile)``), else read now."""
    state = sa.inspect(user, raiseerr=False)
    loaded = state.dict.get("profile") if state is not None else None
    if isinstance(loaded, TravelerProfile):
        return loaded
    return db.session.scalars(sa.select(TravelerProfile)
                              .where(TravelerProfile.user_id == user.id)).first()


def _check(data: ProfileInput, has_passport: bool) -> dict:
    today, known = utcnow().date(), country_codes()
    errors = {}
    if not data.given_names.strip():
        errors["given_names"] = _("Give your given names as in your passport.")
    if not data.family_name.strip():
        errors["family_name"] = _("Give your family name as in your passport.")
    if data.date_of_birth is None or data.date_of_birth >= today:
        errors["date_of_birth"] = _("Give your date of birth; it must be in the past.")
    if not data.citizenships or not set(data.citizenships) <= known:
        errors["citizenships"] = _("Choose at least one country of citizenship.")
    number = normalise_passport(data.passport_number)
    if number and not PASSPORT_PATTERN.match(number):
        errors["passport_number"] = _("A passport number has 6 to 20 letters and digits.")
    elif not number and not has_passport:
        errors["passport_number"] = _("Give your passport number.")
    if data.passport_country not in known:
        errors["passport_country"] = _("Choose the country that issued your passport.")
    if data.passport_expiry is None or data.passport_expiry <= today:
        errors["passport_expiry"] = _("Give the expiry date of a valid passport; it must be "
                                      "in the future.")
    if data.residence_country not in known:
        errors["residence_country"] = _("Choose the country where you live.")
    if data.prior_refusals and not data.prior_refusals_details.strip():
        errors["prior_refusals_details"] = _("Say when, where and why you were refused.")
    if data.preferred_language not in LANGUAGES:
        errors["preferred_language"] = _("Choose English or French.")
    return errors


def problems(user: User, data: ProfileInput) -> dict:
    """Field → message for everything wrong with ``data`` (empty when it may be saved)."""
    profile = get(user)
    return _check(data, has_passport=bool(profile and profile.passport_number))


@uow.atomic
def save(user: User, data: ProfileInput) -> TravelerProfile:
    """Create or update ``user``'s profile; the passport number is kept when not given."""
    profile = get(user)
    errors = problems(user, data)
    if errors:
        raise ValidationFailed(_("Some details of the profile are not valid."), errors)
    if profile is None:
        profile = TravelerProfile(user_id=user.id)
        db.session.add(profile)
    profile.given_names = data.given_names.strip()
    profile.family_name = data.family_name.strip()
    profile.date_of_birth = data.date_of_birth
    profile.citizenships = sorted(set(data.citizenships))
    number = normalise_passport(data.passport_number)
    if number:
        profile.passport_number = number
    profile.passport_country = data.passport_country
    profile.passport_expiry = data.passport_expiry
    profile.residence_country = data.residence_country
    profile.residence_address = data.residence_address.strip()
    profile.prior_refusals = bool(data.prior_refusals)
    profile.prior_refusals_details = data.prior_refusals_details.strip() \
        if data.prior_refusals else ""
    profile.preferred_language = data.preferred_language
    i18n.forget_stated_language()
    profile.updated_at = utcnow()
    return profile


def identity_complete(user: User) -> bool:
    """Whether ``user``'s profile holds everything filing needs (``identity.missing``
    explains what is not there)."""
    profile = get(user)
    return bool(profile and profile.given_names and profile.family_name and
                profile.citizenships and profile.passport_number and profile.passport_expiry
                and profile.date_of_birth)


def passport_expires_early(petition: Petition) -> date | None:
    """The traveler's passport expiry, when it falls before the end of the requested stay
    (or before the travel date when no end is given yet); ``None`` otherwise."""
    profile = get(petition.traveler)
    end = petition.requested_end or petition.travel_date
    if profile is None or profile.passport_expiry is None or end is None:
        return None
    return profile.passport_expiry if profile.passport_expiry < end else None


@uow.atomic
def rotate_encryption_keys() -> int:
    """Re-encrypt every encrypted column of every table with the first configured key
    (``PII_ENCRYPTION_KEYS``); returns how many values were rewritten. Values are read and
    written as raw ciphertext: nothing is decrypted into a log or an object."""
    rewritten = 0
    for table in db.metadata.sorted_tables:
        columns = [c.name for c in table.columns if isinstance(c.type, EncryptedText)]
        if not columns:
            continue
        key = table.primary_key.columns[0].name
        raw = sa.table(table.name, sa.column(key), *(sa.column(name) for name in columns))
        for row in db.session.execute(sa.select(raw)).mappings().all():
            values = {name: rotate(row[name]) for name in columns if row[name]}
            if values:
                db.session.execute(sa.update(raw).where(raw.c[key] == row[key]).values(values))
                rewritten += len(values)
    return rewritten
