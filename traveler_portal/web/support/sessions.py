"""Browser sessions (Flask-Login over Flask's signed cookie).

A session starts fresh at sign-in (nothing from before carries over) and records when; it
ends SESSION_MAX_HOURS later whatever the activity, after SESSION_IDLE_MINUTES without a
request (the cookie carries the time of the last one), and at sign-out in every browser of the
account, because the cookie names the account's session nonce (models.users), which
sign-out and a password change replace. A copied cookie therefore dies with the session.
"""
import time

import sqlalchemy as sa
from flask import current_app, session
from flask_login import login_user

from ... import i18n
from ...domain import notifications
from ...extensions import db, login_manager
from ...models import TravelerProfile, User

# The last-request time is refreshed at most this often (seconds).
IDLE_RESOLUTION = 30
# The account, the language it reads in and its count of unread notifications (the
# header's) in one statement: each would otherwise be a statement of every page.
_ACCOUNT = (sa.select(User, TravelerProfile.preferred_language,
                      notifications.unread_count_of(User.id))
            .outerjoin(TravelerProfile, TravelerProfile.user_id == User.id)
            .where(User.id == sa.bindparam("id")))


@login_manager.user_loader
def _load_user(alternative_id: str):
    user_id, _sep, nonce = (alternative_id or "").partition(":")
    if not user_id.isdigit():
        return None
    started = session.get("signed_in_at")
    max_age = current_app.config["SESSION_MAX_HOURS"] * 3600
    now = int(time.time())
    if not isinstance(started, int) or not 0 <= now - started <= max_age:
        return None  # signed in too long ago (or before sessions carried the time)
    seen = session.get("seen_at", started)
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    if not isinstance(seen, int) or not -60 <= now - seen <= idle:
        return None  # left idle too long
    row = db.session.execute(_ACCOUNT, {"id": int(user_id)}).first()
    if row is None:
        return None
    user, profile_language, unread = row
    if user.session_nonce != nonce or not user.is_active:
        # (An inactive account is not signed in either way: Flask-Login would call it
        # unauthenticated; as anonymous, nothing reads its expired attributes later.)
        return None
    i18n.remember_stated_language(user.id, profile_language, user.preferred_language)
    notifications.remember_unread(user.id, unread)
    if now - seen >= IDLE_RESOLUTION:  # rewriting the cookie on every request is waste
        session["seen_at"] = now
    return user


def start_session(user: User):
    # A fresh session at sign-in: nothing from before (including any fixed session data)
    # carries over.
    session.clear()
    login_user(user)
    session["signed_in_at"] = session["seen_at"] = int(time.time())
