"""The ceiling for the Celery figures: a bare no-op task on the same Redis as the product.

``noop`` answers through the Redis result backend (the round trip); ``stamp`` records when
it ran (the throughput of one worker process, measured like the routing's, from the first
task run to the last)."""
import os
import time

import redis
from celery import Celery

BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
QUEUE, STAMPS = "bench.noop", "bench:noop:stamps"
app = Celery("bench-noop", broker=BROKER, backend=BROKER)
app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json",
                task_default_queue=QUEUE, task_acks_late=True, worker_prefetch_multiplier=1,
                worker_hijack_root_logger=False, broker_connection_retry_on_startup=True)
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
