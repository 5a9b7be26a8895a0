"""The ceiling for the Celery figures: a bare no-op task on the same Redis as the product.

``noop`` answers through the Redis result backend (the round trip); ``stamp`` records when
it ran (the throughput of one worker process, measured like the routing's, from the first
task run to the last)."""
import os
import time

import redis
from celery import Celery

from traveler_portal.celery_app import WORKER_SETTINGS

BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
QUEUE, STAMPS = "bench.noop", "bench:noop:stamps"
app = Celery("bench-noop", broker=BROKER, backend=BROKER)
# The product's worker settings (acknowledgement, prefetch), not a copy: a ceiling
# measured under other settings would not be the product's ceiling.
app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json",
                task_default_queue=QUEUE, worker_hijack_root_logger=False,
                broker_connection_retry_on_startup=True, **WORKER_SETTINGS)
_redis = None


def stamps():
    global _redis
    if _redis is None:
        url = BROKER.replace("redis+socket://", "unix://")
        _redis = redis.Redis.from_url(url)
    return _redis


@app.task(name="bench.noop")
def noop():
    return None


@app.task(name="bench.stamp", ignore_result=True)
def stamp():
    stamps().rpush(STAMPS, time.time())
