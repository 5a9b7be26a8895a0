"""Emails that tell an account's owner about something done with their address: a
sign-in lockout, a registration or an invitation for an address that already has an
account. They carry no text from whoever caused them, and are sent at most once per
request (``mail.deliver_once``) by ``accounts.send_security_notice`` through the outbox.
"""
import secrets

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import mail, tasks
from ..extensions import db
from ..models import User
from . import outbox, profiles, uow

TASK, QUEUE = tasks.SEND_SECURITY_NOTICE.name, tasks.SEND_SECURITY_NOTICE.queue
KINDS = {"locked", "registration", "invitation"}


def enqueue(user_id: int, kind: str, params: dict | None = None) -> None:
    """Queue the notice with the caller's transaction (the caller commits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown security notice {kind!r}")
    outbox.enqueue(TASK, [user_id, kind, secrets.token_hex(8), params or {}], QUEUE)


def _subject(kind: str) -> str:
    return {"locked": _("Sign-in to your account is paused"),
            "registration": _("Someone tried to create an account with your address"),
            "invitation": _("An organization tried to invite your address")}[kind]


def send(user_id: int, kind: str, request_id: str, params: dict) -> bool:
    """Email one notice, at most once per request; False when there is nothing to send."""
    user = db.session.get(User, user_id)
    if user is None or kind not in KINDS:
        uow.rollback()
        return False
    minutes = int((params or {}).get("minutes") or 0)
    with force_locale(profiles.language_of(user)):
        body = render_template(f"emails/security_{kind}.txt", user=user, minutes=minutes,
                               url=current_app.config["PUBLIC_URL"].rstrip("/"))
        message = mail.build(user.email, _subject(kind), body)
    uow.rollback()  # nothing to write: end the read transaction before the network
    return mail.deliver_once(message, f"portal:security-notice-sent:{request_id}", 7 * 86400)
