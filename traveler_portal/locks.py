"""One run at a time: a Redis lock (redis-py's ``Lock``) per scheduled task, on the
broker's Redis (the Celery app's connection URL, or ``LOCK_REDIS_URL`` when set).

A second run that finds the lock taken returns at once instead of waiting: the next beat
tick does the work. The lock expires after ``timeout`` seconds, so a worker killed mid-run
cannot block the task for ever. The domain functions are also safe without it (each row
is locked and re-checked), so the lock saves work; it is not what keeps data right.
"""
import logging
from urllib.parse import urlsplit

import redis
from flask import current_app
from redis.exceptions import LockError

log = logging.getLogger(__name__)


def redis_url() -> str:
    url = current_app.config.get("LOCK_REDIS_URL") or \
        current_app.extensions["celery"].conf.broker_url
    parts = urlsplit(url)
    if parts.scheme == "redis+socket":  # kombu's spelling of a unix socket
        return f"unix://{parts.path}"
    return url


def run_exclusively(name: str, work, *args, timeout: int = 600):
    """``work(*args)`` unless another run holds the lock ``name`` (then ``None``)."""
    client = redis.Redis.from_url(redis_url(), socket_timeout=5, socket_connect_timeout=5)
    lock = client.lock(f"portal:lock:{name}", timeout=timeout, blocking=False)
    if not lock.acquire():
        log.info("skipped %s: another run holds its lock", name)
        return None
    try:
        return work(*args)
    finally:
        try:
            lock.release()
        except LockError:  # it expired meanwhile (a run longer than the timeout)
            log.warning("lock %s expired before %s finished", name, name)
