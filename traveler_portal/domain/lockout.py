"""Guessing stops: failed sign-ins counted per account and per client address, with a
lockout that doubles each time it is earned.

Counters live in Redis (the broker's: locks.redis_url) whenever one is configured, so
every gunicorn process and both doors (the browser's sign-in form and the API's token
endpoint) share one budget per account. ``SIGNIN_COUNTERS = "memory"`` (the unit tests'
setting, where no broker runs) counts in this process only; so does a Redis that stops
answering, with a warning in the log, so an outage never stops everyone signing in.

- Every wrong password or wrong second-factor code adds one failure to the account's
  counter (the normalised email, known or not: the answer never says whether an
  account exists) and to the address's. Counters last LOCKOUT_WINDOW_SECONDS after the
  last failure; a full sign-in clears the account's.
- Each LOCKOUT_THRESHOLD failures lock the account for LOCKOUT_BASE_SECONDS, doubled at
  every further lock (at most LOCKOUT_MAX_SECONDS). While locked even the right password
  is refused. The owner of an existing account is emailed at each lock (outbox →
  accounts.send_security_notice). The address has its own, higher threshold.
"""
import hashlib
import logging
import threading
import time

import redis
import sqlalchemy as sa
from flask import current_app

from .. import locks
from ..extensions import db
from ..models import User
from . import security_notices, uow
from .errors import DomainError

log = logging.getLogger(__name__)


class Locked(DomainError):
    code, http_status = "rate_limited", 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class _Memory:
    """Per-process counters with expiry (the fallback when there is no Redis)."""

    def __init__(self):
        self._values, self._lock = {}, threading.Lock()

    def _live(self, key):
        value, expires = self._values.get(key, (None, 0))
        return value if expires > time.time() else None

    def incr(self, key, ttl):
        with self._lock:
            value = (self._live(key) or 0) + 1
            self._values[key] = (value, time.time() + ttl)
            return value

    def lock(self, key, ttl):
        with self._lock:
            self._values[key] = (1, time.time() + ttl)

    def ttl(self, key):
        with self._lock:
            value, expires = self._values.get(key, (None, 0))
            return max(0, int(expires - time.time() + 0.999)) if value is not None else 0

    def delete(self, key):
        with self._lock:
            self._values.pop(key, None)

    def clear(self):
        with self._lock:
            self._values.clear()


class _Redis:
    def __init__(self, client):
        self.client = client

    def incr(self, key, ttl):
        with self.client.pipeline() as pipe:
            value, _ok = pipe.incr(key).expire(key, ttl).execute()
        return int(value)

    def lock(self, key, ttl):
        self.client.set(key, 1, ex=ttl)

    def ttl(self, key):
        return max(0, int(self.client.ttl(key)))

    def delete(self, key):
        self.client.delete(key)


_memory = _Memory()
_clients: dict[str, redis.Redis] = {}


def _store():
    if current_app.config.get("SIGNIN_COUNTERS", "redis") == "memory":
        return _memory
    url = locks.redis_url()
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _Redis(_clients[url])


def _call(method: str, *args):
    store = _store()
    try:
        return getattr(store, method)(*args)
    except redis.RedisError:
        log.warning("sign-in counters: Redis is not answering; counting in this process",
                    exc_info=True)
        return getattr(_memory, method)(*args)


def forget_in_memory() -> None:
    """Clear this process's counters (the tests' isolation; Redis is left alone)."""
    _memory.clear()


def _key(kind: str, who: str, what: str) -> str:
    # Hashed: emails (personal data) are never written to Redis in clear.
    digest = hashlib.sha256(f"{kind}:{who}".encode()).hexdigest()[:32]
    return f"portal:signin:{what}:{kind}:{digest}"


def normalise(email: str) -> str:
    return (email or "").strip().lower()


def retry_after(email: str, address: str | None) -> int:
    """Seconds until sign-in is allowed again for this account and address (0: now)."""
    waits = [_call("ttl", _key("account", normalise(email), "lock"))]
    if address:
        waits.append(_call("ttl", _key("address", address, "lock")))
    return max(waits)


def check(email: str, address: str | None) -> None:
    """Raise :class:`Locked` while the account or the address is locked out."""
    wait = retry_after(email, address)
    if wait > 0:
        from flask_babel import gettext as _  # noqa: PLC0415 - messages only when locked
        minutes = max(1, (wait + 59) // 60)
        raise Locked(_("Too many failed attempts: sign-in is paused for %(minutes)d "
                       "minute(s). Try again later, or reset your password.",
                       minutes=minutes), wait)


def _lock_for(failures: int, threshold: int) -> int:
    cfg = current_app.config
    level = failures // threshold
    return min(cfg["LOCKOUT_BASE_SECONDS"] * 2 ** (level - 1), cfg["LOCKOUT_MAX_SECONDS"])


def failed(email: str, address: str | None) -> None:
    """Count a failed attempt; lock when a threshold is reached (and email the owner)."""
    cfg, email = current_app.config, normalise(email)
    window = cfg["LOCKOUT_WINDOW_SECONDS"]
    count = _call("incr", _key("account", email, "fails"), window)
    threshold = cfg["LOCKOUT_THRESHOLD"]
    if count % threshold == 0:
        seconds = _lock_for(count, threshold)
        _call("lock", _key("account", email, "lock"), seconds)
        log.warning("sign-in locked for an account after %d failures (%d s)", count, seconds)
        _notify_owner(email, seconds)
    if address:
        count = _call("incr", _key("address", address, "fails"), window)
        threshold = cfg["LOCKOUT_ADDRESS_THRESHOLD"]
        if count % threshold == 0:
            seconds = _lock_for(count, threshold)
            _call("lock", _key("address", address, "lock"), seconds)
            log.warning("sign-in locked for address %s after %d failures (%d s)",
                        address, count, seconds)


def authenticate(email: str, password: str, address: str | None):
    """The password step under the lockout: :class:`Locked` while locked, else the
    account or None (a failure counted)."""
    from . import accounts  # noqa: PLC0415 - accounts imports nothing of this module
    check(email, address)
    user = accounts.authenticate(email, password)
    if user is None:
        failed(email, address)
    return user


def succeeded(email: str) -> None:
    """A full sign-in (password and, where asked, second factor): the account's failures
    are forgotten. The address's are not (one right password does not excuse a sweep)."""
    _call("delete", _key("account", normalise(email), "fails"))


def _notify_owner(email: str, seconds: int) -> None:
    user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
    if user_id is None:
        return
    security_notices.enqueue(user_id, "locked", {"minutes": max(1, seconds // 60)})
    uow.commit()
