"""Celery workers: ``celery -A workers worker`` and ``celery -A workers beat``.

This package imports ``traveler_portal`` (never the reverse): the Celery app is built
and configured by the Flask app; the task bodies below call domain services.
"""
from celery.signals import task_prerun, worker_process_init, worker_process_shutdown

from traveler_portal import create_app, keyring
from traveler_portal.extensions import db

flask_app = create_app()
app = celery = flask_app.extensions["celery"]
celery.conf.include = ["workers.routing", "workers.sweeps", "workers.notifications",
                       "workers.webhooks", "workers.schedules", "workers.organizations",
                       "workers.employers", "workers.accounts", "workers.publishing"]


@worker_process_init.connect
def _fresh_connections(**_):
    # A forked pool process must not reuse the parent's database connections.
    with flask_app.app_context():
        db.engine.dispose(close=False)


@task_prerun.connect
def _announce_keys(**_):
    # rotate-pii-keys refuses while a worker that runs tasks lacks the new key.
    with flask_app.app_context():
        keyring.announce("worker")


# A pool process ends with os._exit (no atexit): it withdraws its announcement itself, so
# a worker stopped cleanly drops out of rotate-pii-keys' check at once.
worker_process_shutdown.connect(keyring.withdraw, weak=False)
