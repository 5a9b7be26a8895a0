"""Finding a traveler by passport number and date of birth without decrypting every
profile: each profile stores a keyed hash of both (``models/crypto.passport_lookup_key``,
kept in step by the model whenever either is saved), and a lookup hashes what the port
officer typed the same way and asks for that one value."""
import sqlalchemy as sa

from ..extensions import db
from ..models import TravelerProfile
from ..models.crypto import passport_lookup_key
from . import uow


def user_ids(passport_number: str, date_of_birth) -> list[int]:
    """The accounts whose profile has this passport number and date of birth."""
    digest = passport_lookup_key(passport_number, date_of_birth)
    if digest is None:
        return []
    return list(db.session.scalars(sa.select(TravelerProfile.user_id).where(
        TravelerProfile.passport_lookup == digest)))


@uow.atomic
def reindex() -> int:
    """Recompute every stored hash (after migration 0014, or a new PASSPORT_LOOKUP_KEY).
    Decrypts each profile once, here only; returns how many profiles were rewritten."""
    count = 0
    for profile in db.session.scalars(sa.select(TravelerProfile)):
        digest = passport_lookup_key(profile.passport_number, profile.date_of_birth)
        if profile.passport_lookup != digest:
            profile.passport_lookup = digest
            count += 1
    return count
