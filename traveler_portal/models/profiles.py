"""The traveler's profile: kept once, reused for every petition."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .crypto import EncryptedDate, EncryptedText, passport_lookup_key
from .types import UTCDateTime
from .users import User, utcnow


class TravelerProfile(db.Model):
    __tablename__ = "traveler_profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    given_names: Mapped[str] = mapped_column(sa.String(200), default="")
    family_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # Encrypted at rest, never logged.
    date_of_birth: Mapped[date | None] = mapped_column(EncryptedDate)
    passport_number: Mapped[str | None] = mapped_column(EncryptedText)
    # passport_lookup_key(passport_number, date_of_birth): how a port officer finds the
    # traveler by both without decrypting every profile; kept in step by _keep_lookup.
    passport_lookup: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    passport_country: Mapped[str | None] = mapped_column(sa.String(2))
    passport_expiry: Mapped[date | None] = mapped_column(sa.Date)
    citizenships: Mapped[list] = mapped_column(sa.JSON, default=list)
    residence_country: Mapped[str | None] = mapped_column(sa.String(2))
    residence_address: Mapped[str] = mapped_column(sa.Text, default="")
    prior_refusals: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    prior_refusals_details: Mapped[str] = mapped_column(sa.Text, default="")
    preferred_language: Mapped[str] = mapped_column(sa.String(2), default="en")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(backref=sa.orm.backref("profile", uselist=False))

    @validates("passport_number", "date_of_birth")
    def _keep_lookup(self, name, value):
        number = value if name == "passport_number" else self.passport_number
        born = value if name == "date_of_birth" else self.date_of_birth
        self.passport_lookup = passport_lookup_key(number, born)
        return value
