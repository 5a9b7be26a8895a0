"""Which PII encryption keys the running processes hold, so ``rotate-pii-keys`` can refuse
while rotating would lock one of them out of the data.

Every web process (on its requests) and every Celery worker process (on its tasks)
announces the fingerprints of its ``PII_ENCRYPTION_KEYS`` in the broker's Redis, under a
key that expires after ``PII_KEYRING_TTL_SECONDS`` unless announced again (at most once a
minute per process). A process that shuts down cleanly (gunicorn's graceful stop, a Celery
warm shutdown) withdraws its announcement as it exits, so the operator who has just stopped
the old-key processes can rotate at once; one killed outright drops out when its key
expires. Announcing and withdrawing never fail a request or a task. Only fingerprints
(SHA-256 prefixes) are stored, never keys.
"""
import atexit
import json
import logging
import os
import socket
import time

import redis
from flask import current_app

from .locks import redis_url
from .models.crypto import fingerprint

log = logging.getLogger(__name__)
PREFIX = "portal:pii-keyring:"
_announced = {"at": None, "name": None, "url": None, "timeout": None}


class RotationRefused(Exception):
    """Rotating now would not be safe; the message says why and what to do."""


def _client():
    # Announcing happens in a request: never wait on a dead broker longer than a publish.
    timeout = current_app.config["BROKER_CONNECT_TIMEOUT"]
    return redis.Redis.from_url(redis_url(), socket_timeout=timeout,
                                socket_connect_timeout=timeout)


def own_fingerprints() -> list[str]:
    return [fingerprint(k) for k in current_app.config["PII_ENCRYPTION_KEYS"]]


def announce(role: str) -> None:
    ttl = current_app.config["PII_KEYRING_TTL_SECONDS"]
    now = time.monotonic()
    if _announced["at"] is not None and now - _announced["at"] < min(60, ttl / 3):
        return
    _announced["at"] = now
    name = _name()
    value = json.dumps({"keys": own_fingerprints(), "role": role})
    try:
        _client().set(name, value, ex=max(1, int(ttl)))
    except (redis.RedisError, OSError) as exc:
        log.debug("could not announce the PII keys held: %s", exc)
        return
    if _announced["name"] != name:  # the first announcement of this process
        _announced.update(name=name, url=redis_url(),
                          timeout=current_app.config["BROKER_CONNECT_TIMEOUT"])
        atexit.register(withdraw)


def _name() -> str:
    return f"{PREFIX}{socket.gethostname()}:{os.getpid()}"


def withdraw(**_) -> None:
    """Remove this process's announcement (at exit; also a Celery pool process's
    ``worker_process_shutdown``, which ends without running ``atexit``). Needs no app
    context. A forked child that inherited the handler removes nothing of its parent's."""
    name = _announced["name"]
    if name is None or name != _name():
        return
    _announced.update(at=None, name=None)
    timeout = _announced["timeout"]
    try:
        redis.Redis.from_url(_announced["url"], socket_timeout=timeout,
                             socket_connect_timeout=timeout).delete(name)
    except (redis.RedisError, OSError) as exc:
        log.debug("could not withdraw the PII keys held: %s", exc)


def holders() -> dict[str, dict]:
    """{process: {"keys": [fingerprints], "role": ...}} of processes seen recently."""
    client = _client()
    found = {}
    for name in client.scan_iter(match=PREFIX + "*"):
        value = client.get(name)
        if value:
            found[name.decode()[len(PREFIX):]] = json.loads(value)
    return found


def check_rotation_is_safe() -> None:
    """Raise ``RotationRefused`` unless rotating to the first configured key is safe."""
    keys = current_app.config["PII_ENCRYPTION_KEYS"]
    prints = own_fingerprints()
    if len(keys) < 2:
        raise RotationRefused(
            "PII_ENCRYPTION_KEYS holds one key. Put the new key in front of the old one "
            "(PII_ENCRYPTION_KEYS=NEW,OLD), deploy that to every web, worker and beat "
            "process, then run this command with the same list.")
    if prints[0] in prints[1:]:
        raise RotationRefused("the first key of PII_ENCRYPTION_KEYS is also listed after it: "
                              "the newest key must be a new one.")
    try:
        seen = holders()
    except (redis.RedisError, OSError) as exc:
        raise RotationRefused(
            f"cannot reach Redis ({exc}) to check which keys the running web and worker "
            "processes hold; rotating blind could lock them out of the data.") from None
    lacking = sorted(f"{name} ({info.get('role', '?')}, keys {','.join(info['keys'])})"
                     for name, info in seen.items() if prints[0] not in info["keys"])
    if lacking:
        ttl = current_app.config["PII_KEYRING_TTL_SECONDS"]
        raise RotationRefused(
            f"{len(lacking)} running process(es) do not hold the new key {prints[0]}: "
            f"{'; '.join(lacking)}. Deploy PII_ENCRYPTION_KEYS=NEW,OLD to them (or stop "
            f"them) first; a process stopped cleanly drops out of this check at once, one "
            f"killed within {ttl} s.")


def init_app(app) -> None:
    @app.before_request
    def _announce_keys():
        announce("web")
