"""Accounts, organizations and API tokens."""
import secrets
import unicodedata
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .enums import ORG_ROLES, Country, Role, check_in, enum_column
from .types import UTCDateTime


def utcnow():
    return datetime.now(UTC)


def new_invite_code():
    # 10 characters from an unambiguous alphabet: easy to read out over the phone.
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))




def organization_key(name: str) -> str:
    """The form of a legal name that two registrations must not share, folded the way
    people write names differently: Unicode compatibility forms (NFKC), case folded,
    dashes read as spaces, every other punctuation mark dropped, spaces collapsed.
    "Acme Widgets, Inc." and "ACME  Widgets Inc" are one; "Érable" keeps its accent.
    Computed here rather than with SQL lower(), which SQLite applies to ASCII only.
    (Migration 0015 recomputed the stored keys with this rule; keep them in step.)"""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    kept = []
    for char in text:
        kind = unicodedata.category(char)
        if kind == "Pd":
            kept.append(" ")
        elif not kind.startswith("P"):
            kept.append(char)
    return " ".join("".join(kept).split())


class Organization(db.Model):
    __tablename__ = "organizations"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)  # the legal name
    # organization_key(name), kept in step by the validator below; unique.
    name_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # US FEIN (12-3456789) or 9-digit Canadian business number.
    business_number: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    address: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    # Weekly digest of action items and expiring approvals for the employer users.
    digest_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    invite_code: Mapped[str] = mapped_column(sa.String(16), unique=True,
                                             default=new_invite_code)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("name")
    def _keep_name_key(self, _key, name):
        self.name_key = organization_key(name)
        return name


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (check_in("org_role", ORG_ROLES),
                      # an organization's employees by name, a keyset page at a time
                      # (migration 0019)
                      sa.Index("ix_users_org_role_name", "organization_id", "role", "name",
                               "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    country: Mapped[Country | None] = mapped_column(enum_column(Country, "user_country"))
    # A port officer's own port of entry (a code of their country's ports), if any.
    port_code: Mapped[str | None] = mapped_column(sa.String(32))
    organization_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("organizations.id"), index=True)
    # For employer users: owner (manages people and settings), admin (people and
    # petitions) or viewer (read only). Null for everyone else.
    org_role: Mapped[str | None] = mapped_column(sa.String(16))
    # Changing this logs out every session of the account (Flask-Login's alternative id).
    session_nonce: Mapped[str] = mapped_column(sa.String(32),
                                               default=lambda: secrets.token_hex(16))
    is_active_account: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # Email kinds the user chose not to receive (decisions are always sent).
    email_opt_out: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")
    # An employer admin's emails about their people's status changes: "off", "immediate"
    # (one email per change, through the outbox) or "daily" (one summary a day).
    people_emails: Mapped[str] = mapped_column(sa.String(16), default="off",
                                               server_default="off")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The language and time zone this person reads the portal in when they have no traveler
    # profile to say it (staff, employers; the header's switch); empty = the defaults.
    preferred_language: Mapped[str | None] = mapped_column(sa.String(2))
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))

    organization: Mapped[Organization | None] = relationship()

    def get_id(self):
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_active(self):
        return self.is_active_account

    @property
    def is_agency(self):
        return self.role in (Role.OFFICER, Role.SUPERVISOR)


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored (the token itself is shown once)."""
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
