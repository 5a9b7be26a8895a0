"""Self-registration that tells no one whether an address has an account.

Asking to register answers the same for every address ("check your inbox"): nothing is
created yet. A free address is emailed a link that creates the account; an address that
already has an account is emailed a notice saying what happened (security_notices). Both
emails go through the outbox; both paths compute a password hash, so they take the same
time.

The link's token is the registration itself (kind, email, name, organization, the
password's hash), encrypted and authenticated with the personal-data keys
(models/crypto.keyring: Fernet) so the hash never travels readable, and valid for
REGISTRATION_TTL_HOURS. It works once: the account it creates takes the address.
"""
import hashlib
import json

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from .. import mail, tasks
from ..extensions import db
from ..models import Role, User
from ..models.crypto import keyring
from . import accounts, outbox, password_policy, security_notices, uow
from .errors import DomainError, ValidationFailed

SEND_TASK, QUEUE = tasks.SEND_REGISTRATION_LINK.name, tasks.SEND_REGISTRATION_LINK.queue


class LinkGone(DomainError):
    code, http_status = "gone", 410


@uow.atomic
def request(kind: str, email: str, password: str, name: str, organization: str = "") -> None:
    """Queue the right email for ``email``; raises only for problems of the form itself
    (the same for every address)."""
    email = accounts.normalise_email(email)
    if problem := password_policy.problem(password):
        raise ValidationFailed(_("The password cannot be used."), {"password": problem})
    if kind == "employer" and accounts.organization_named(organization):
        # Organizations are public names, not accounts: saying one is taken is no oracle.
        raise ValidationFailed(_("That organization is already registered."), {
            "organization": _("This organization is already registered; ask its admin for "
                              "access.")})
    password_hash = accounts.hash_password(password)  # on both paths: the same time
    owner = db.session.scalar(sa.select(User.id).where(User.email == email))
    if owner is not None:
        security_notices.enqueue(owner, "registration")
    else:
        payload = {"kind": "employer" if kind == "employer" else "traveler", "email": email,
                   "name": (name or "").strip()[:200], "organization": (organization or "")
                   .strip()[:200], "hash": password_hash,
                   # The email is written in the language the page was read in.
                   "lang": str(get_locale() or "en")}
        token = keyring().encrypt(json.dumps(payload).encode()).decode()
        outbox.enqueue(SEND_TASK, [token], QUEUE)


def confirm_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/register/confirm/{token}"


def _read(token: str) -> dict:
    ttl = current_app.config["REGISTRATION_TTL_HOURS"] * 3600
    try:
        return json.loads(keyring().decrypt((token or "").encode(), ttl=ttl))
    except (InvalidToken, ValueError, TypeError):
        raise LinkGone(_("This link has expired or is not valid. Register again: it takes "
                         "a minute.")) from None


def confirm(token: str) -> User:
    """Create the account the link describes; LinkGone when expired, altered or used."""
    data = _read(token)
    if db.session.scalar(sa.select(User.id).where(User.email == data["email"])):
        raise LinkGone(_("This link was already used: the account exists. Sign in."))
    if data["kind"] == "employer":
        if accounts.organization_named(data["organization"]):
            raise LinkGone(_("That organization was registered meanwhile; ask its admin "
                             "for access."))
        return accounts.create_user(data["email"], "", Role.EMPLOYER, name=data["name"],
                                    organization_name=data["organization"],
                                    password_hash=data["hash"])
    return accounts.create_user(data["email"], "", Role.TRAVELER, name=data["name"],
                                password_hash=data["hash"])


def send_link(token: str) -> bool:
    """Email the link (task accounts.send_registration_link), at most once per token."""
    data = _read_for_email(token)
    if data is None:
        return False
    with force_locale(data.get("lang") if data.get("lang") in ("en", "fr") else "en"):
        hours = current_app.config["REGISTRATION_TTL_HOURS"]
        body = render_template("emails/registration.txt", url=confirm_url(token), hours=hours)
        message = mail.build(data["email"], _("Finish creating your account"), body)
    uow.rollback()
    key = "portal:registration-sent:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return mail.deliver_once(message, key, hours * 3600 + 86400)


def _read_for_email(token: str) -> dict | None:
    try:
        return _read(token)
    except LinkGone:
        return None
