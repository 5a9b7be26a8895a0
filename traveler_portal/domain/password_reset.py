"""A forgotten password: a link by email, valid for a short time and once.

The link's token is ``itsdangerous.URLSafeTimedSerializer`` over ``[user id, fingerprint
of the current password hash]`` with the app's ``SECRET_KEY`` (salt ``password-reset``).
It cannot be forged without the key; it expires after ``PASSWORD_RESET_TTL_MINUTES``; and
it works once, because setting the new password changes the hash its fingerprint names (so
does any other password change). Nothing is stored for it.

Asking for a link says the same whether or not an account has that address (no one
learns who has an account); the email goes through the outbox to
``accounts.send_password_reset``, which sends each request at most once (a Redis key set
before sending, cleared on failure). The new password signs the account out everywhere
and revokes its API tokens (``passwords.set_password``).
"""
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .. import mail, tasks
from ..extensions import db
from ..models import User
from . import accounts, outbox, passwords, profiles, uow
from .errors import DomainError

SEND_TASK, QUEUE = tasks.SEND_PASSWORD_RESET.name, tasks.SEND_PASSWORD_RESET.queue
SALT = "password-reset"


class LinkGone(DomainError):
    """The link has expired, was already used, or is not a link we made."""
    code, http_status = "gone", 410


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def token_for(user: User) -> str:
    return _serializer().dumps([user.id, _fingerprint(user)])


def reset_url(user: User) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/password/reset/{token_for(user)}"


@uow.atomic
def request_link(email: str) -> None:
    """Queue the email for an active account with that address; nothing otherwise."""
    user = db.session.scalars(sa.select(User).where(
        User.email == accounts.normalise_email(email))).first()
    if user is None or not user.is_active:
        return
    outbox.enqueue(SEND_TASK, [user.id, secrets.token_hex(8)], QUEUE)


def send_link(user_id: int, request_id: str) -> bool:
    """Email one reset link, at most once per request; False when there is nothing to send."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        uow.rollback()
        return False
    with force_locale(profiles.language_of(user)):
        minutes = current_app.config["PASSWORD_RESET_TTL_MINUTES"]
        body = render_template("emails/password_reset.txt", user=user, url=reset_url(user),
                               minutes=minutes)
        message = mail.build(user.email, _("Reset your password"), body)
    uow.rollback()  # nothing to write: end the read transaction before the network
    ttl = current_app.config["PASSWORD_RESET_TTL_MINUTES"] * 60 + 86400
    return mail.deliver_once(message, f"portal:password-reset-sent:{request_id}", ttl)


def find(token: str) -> User:
    """The account a link is for, while the link is good; ``LinkGone`` saying why otherwise."""
    max_age = current_app.config["PASSWORD_RESET_TTL_MINUTES"] * 60
    try:
        user_id, fingerprint = _serializer().loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise LinkGone(_("This link has expired. Ask for a new one below.")) from None
    except (BadSignature, ValueError, TypeError):
        raise LinkGone(_("This link is not valid. Ask for a new one below.")) from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise LinkGone(_("This link is not valid. Ask for a new one below."))
    if not secrets.compare_digest(str(fingerprint), _fingerprint(user)):
        raise LinkGone(_("This link was already used: the password has changed since it "
                         "was sent. Ask for a new one below if you need it."))
    return user


def reset(token: str, password: str) -> User:
    """Set the new password through a good link (which then stops working)."""
    user = find(token)
    passwords.set_password(user, password)
    return user
