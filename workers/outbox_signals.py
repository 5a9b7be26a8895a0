"""Closing outbox rows from the worker: a task sent by the outbox (task id
``outbox-<row>-…``) confirms its row when it succeeds, unless it returned
``outbox.NOT_DONE`` (another run holds the work, or the retry waits in the row), or it
confirmed the row in its own transaction (``outbox.confirm_with_work``: routing). A task
that dies with its worker never confirms, so the outbox sweep sends it again."""
import logging

from celery.signals import task_success

from traveler_portal.domain import outbox

log = logging.getLogger(__name__)


def connect(flask_app) -> None:
    @task_success.connect(weak=False)
    def _confirm(sender=None, result=None, **_):
        message_id = outbox.message_id_of(getattr(sender.request, "id", None))
        if message_id is None or result == outbox.NOT_DONE or \
                getattr(sender.request, outbox.CONFIRMED_IN_WORK, False):
            return  # not the outbox's, not done, or confirmed in the task's transaction
        with flask_app.app_context():
            try:
                outbox.confirm(message_id)
            except Exception:  # noqa: BLE001 - the row stays open; the re-drive runs it again
                log.exception("could not confirm outbox row %s; it will be re-driven",
                              message_id)
