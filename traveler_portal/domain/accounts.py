"""Accounts: creation, sign-in, organizations and API tokens."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from .. import i18n
from ..extensions import db
from ..models import ApiToken, Organization, Role, TravelerProfile, User
from ..models.users import organization_key, utcnow
from . import organizations, password_policy, reference, uow
from .errors import ValidationFailed

MIN_PASSWORD = password_policy.MIN_LENGTH
# Staff of one country's agency (a port officer optionally of one port too).
COUNTRY_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.PORT_OFFICER)
# Checked against when the email is unknown, so a wrong email costs the same time as a
# wrong password (no account-existence oracle through timing).
_DUMMY_HASHES: dict[str, str] = {}


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    # scrypt, a memory-hard slow KDF; its cost is PASSWORD_HASH_METHOD (cheap only under
    # testing: TestConfig, never read from the environment).
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    """A hash of the configured cost to check against when the account does not exist, so
    an unknown email takes as long to refuse as a wrong password."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not-a-real-password", method=method)
    return _DUMMY_HASHES[method]


def organization_named(name: str, create: bool = False) -> Organization | None:
    name = (name or "").strip()
    org = db.session.scalars(sa.select(Organization).where(
        Organization.name_key == organization_key(name))).first()
    if org is None and create:
        org = Organization(name=name)
        db.session.add(org)
        db.session.flush()
    return org


@uow.atomic
def create_user(email: str, password: str, role: Role, name: str = "", country=None,
                organization_name: str | None = None, organization: Organization = None,
                org_role: str | None = None, organization_must_exist: bool = False,
                password_hash: str | None = None, port_code: str | None = None) -> User:
    """An account. Officers and supervisors have a country and no organization; admins
    neither; travelers and employers no country (a traveler's citizenship is in their
    profile). An organization is matched by its folded name (``organization_key``); an
    employer's is created when missing (they own it), a traveler's only unless
    ``organization_must_exist`` (the command line, where a typo must not found one).
    ``password_hash`` instead of a password: one checked and hashed earlier (a confirmed
    registration, domain/registration.py)."""
    email = normalise_email(email)
    errors = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = _("Enter a valid email address.")
    elif db.session.scalar(sa.select(User.id).where(User.email == email)):
        errors["email"] = _("An account with this email already exists.")
    if password_hash is None and (password_problem := password_policy.problem(password)):
        errors["password"] = password_problem
    role = Role(role)
    if role in COUNTRY_ROLES and country not in ("US", "CA"):
        errors["country"] = _("Officers, port officers and supervisors belong to US or CA.")
    if country and role not in COUNTRY_ROLES:
        errors["country"] = _("Only officers, port officers and supervisors belong to a "
                              "country; a traveler's citizenship is kept in their profile.")
    port_code = (port_code or "").strip().upper() or None
    if port_code and role != Role.PORT_OFFICER:
        errors["port"] = _("Only port officers are tied to a port.")
    elif port_code and country in ("US", "CA") and reference.port(country, port_code) is None:
        errors["port"] = _("No port of entry of %(country)s has this code.", country=country)
    named = (organization_name or "").strip()
    if role == Role.EMPLOYER and not (organization or named):
        errors["organization"] = _("An employer admin needs an organization.")
    elif (organization or named) and role not in (Role.EMPLOYER, Role.TRAVELER):
        errors["organization"] = _("Officers, port officers, supervisors and admins "
                                   "belong to no organization.")
    elif (role == Role.TRAVELER and named and organization_must_exist
          and organization_named(named) is None):
        errors["organization"] = _("No organization is registered under this name: an "
                                   "employer admin creates it first.")
    if errors:
        raise ValidationFailed(_("The account could not be created."), errors)
    invited_role, org_role = org_role, None
    if organization is None and organization_name:
        existing = organization_named(organization_name)
        organization = existing or organization_named(organization_name, create=True)
        # Whoever creates an organization owns it; later employer users are admins.
        org_role = "admin" if existing else "owner"
    elif organization is not None:
        org_role = invited_role or "admin"  # an invitation names the role
    user = User(email=email, name=(name or email.split("@")[0]).strip()[:200],
                password_hash=password_hash or hash_password(password), role=role,
                country=country if role in COUNTRY_ROLES else None, port_code=port_code,
                organization_id=organization.id if organization else None,
                org_role=org_role if role == Role.EMPLOYER else None)
    db.session.add(user)
    return user


def register_employer(email, password, name, organization_name) -> User:
    if organization_named(organization_name):
        raise ValidationFailed(_("That organization is already registered."), {
            "organization": _("This organization is already registered; ask its admin for "
                              "access.")})
    return create_user(email, password, Role.EMPLOYER, name=name,
                       organization_name=organization_name)


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalars(sa.select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


@uow.atomic
def join_organization(user: User, code: str) -> Organization:
    org = db.session.scalars(sa.select(Organization).where(
        Organization.invite_code == (code or "").strip().upper())).first()
    if org is None:
        raise ValidationFailed(_("Unknown invitation code."),
                               {"code": _("This invitation code is not valid.")})
    organizations.link_traveler(user, org.id)
    return org


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@uow.atomic
def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token; only its hash is stored, so it is returned this once."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(token), created_at=utcnow(),
                   expires_at=utcnow() + timedelta(
                       hours=current_app.config["API_TOKEN_TTL_HOURS"]))
    db.session.add(row)
    return token, row


# The token, its account and the language the account reads in, in one statement.
_TOKEN = (sa.select(ApiToken, User, TravelerProfile.preferred_language)
          .join(User, User.id == ApiToken.user_id)
          .outerjoin(TravelerProfile, TravelerProfile.user_id == User.id)
          .where(ApiToken.token_hash == sa.bindparam("digest")))


def user_for_token(token: str) -> tuple[User, ApiToken] | None:
    found = db.session.execute(_TOKEN, {"digest": _digest(token or "")}).first()
    if found is None:
        return None
    row, user, profile_language = found
    if row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if not user.is_active:
        return None
    i18n.remember_stated_language(user.id, profile_language, user.preferred_language)
    return user, row


@uow.atomic
def revoke_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()


def sign_out_everywhere(user: User, *, tokens: bool = False) -> None:
    """End every browser session of the account (a new session nonce; see models.users),
    and with ``tokens`` its API bearer tokens too. The caller commits."""
    user.session_nonce = secrets.token_hex(16)
    if tokens:
        db.session.execute(sa.update(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow()))
