"""A second sign-in factor (TOTP, RFC 6238) and its single-use recovery codes."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .crypto import EncryptedText
from .types import UTCDateTime
from .users import utcnow


class SecondFactor(db.Model):
    """One per account that has started enrolling. ``confirmed_at`` is set once a code from
    the authenticator was typed back; until then the factor does not count."""
    __tablename__ = "second_factors"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    # The base32 TOTP secret, encrypted at rest like other personal data (models/crypto.py).
    secret: Mapped[str] = mapped_column(EncryptedText)
    # A replacement (a new phone) waiting for its first code; the confirmed secret keeps
    # working until then.
    new_secret: Mapped[str | None] = mapped_column(EncryptedText)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time step (unix time // 30) of the last accepted code: a code is accepted only
    # for a later step, so an observed code cannot be replayed.
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(db.Model):
    """A single-use recovery code; only its SHA-256 is stored (the code is shown once)."""
    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
