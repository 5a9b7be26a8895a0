"""One base class for every task. Each task runs inside the unit of work's boundary: the
task, not the services it calls, owns the transaction. The failures worth another try,
the backoff between tries and what happens after the last one are declared per task
(``retry_on``, ``max_retries``, ``backoff``, ``attempt_failed``, ``gave_up``) and carried
out here once.

A task the outbox sent (task id ``outbox-<row>-…``) closes its row in its own
transaction when it succeeds (``outbox.confirm_with_work``), unless it returned
``outbox.NOT_DONE`` (another run holds the work, or the retry waits in the row): the work
and its confirmation commit together or not at all, and a task that dies mid-way never
confirms, so the outbox sweep sends it again.

A retry of a task the outbox sent waits in its outbox row (workers/retrying.py), so a
wiped Redis loses no retry and no countdown outlives the visibility timeout. After the
last try ``gave_up`` leaves a state a person can see (a failed email, a failed webhook
delivery, a failed outbox row for ``flask --app wsgi outbox resend-failed``)."""
import logging

from celery import shared_task

from traveler_portal.domain import outbox, uow
from traveler_portal.tasks import TaskName
from workers import app, flask_app, retrying

log = logging.getLogger(__name__)


class PortalTask(app.Task):
    abstract = True
    acks_late = True  # a worker that dies mid-task gives it back (at-least-once)
    retry_on: tuple = ()  # nothing is retried unless the task says what
    max_retries = 5

    def __call__(self, *args, **kwargs):
        # The task owns its transaction (uow.boundary): the services it calls are
        # savepoints inside it, committed together when it returns and rolled back
        # together when it raises. A failed try is recorded in a transaction of its own.
        with flask_app.app_context():
            try:
                return uow.boundary(self._run_and_confirm)(*args, **kwargs)
            except self.retry_on as exc:
                return uow.boundary(self._failed)(exc, args)

    def _run_and_confirm(self, *args, **kwargs):
        # The row is offered to the task first: a service writing its change in one
        # statement closes it there (routing), saving the round trip below.
        outbox.offer_confirmation(self._message_id())
        try:
            result = self.run(*args, **kwargs)
        finally:
            message_id = outbox.take_confirmation()
        if result != outbox.NOT_DONE:
            outbox.confirm_with_work(message_id)
        return result

    def _message_id(self) -> int | None:
        """The outbox row that sent this run (None: sent some other way, or called
        directly, outside any worker request)."""
        stack = self.request_stack
        return outbox.message_id_of(getattr(stack.top, "id", None)) if stack else None

    def backoff(self, tries: int) -> float:
        """Seconds before the next try after ``tries`` failures: 5 s doubling to 5 min."""
        return min(300, 5 * 2 ** tries)

    def attempt_failed(self, exc, args) -> None:
        """A failed try that will be tried again (e.g. count it where people look)."""

    def gave_up(self, exc, args) -> None:
        """After the last try: the outbox row is marked failed (it can be sent again)."""
        message_id = outbox.message_id_of(self.request.id)
        if message_id is not None:
            outbox.give_up(message_id, repr(exc))

    def _failed(self, exc, args):
        done = retrying.tries(self)
        if done >= self.max_retries:
            log.error("task %s[%s] failed for good after %s tries: %r", self.name,
                      self.request.id, done + 1, exc)
            self.gave_up(exc, args)
            return False
        self.attempt_failed(exc, args)
        return retrying.later(self, exc, self.backoff(done))


def portal_task(spec: TaskName, **options):
    """``@portal_task(tasks.X, retry_on=..., max_retries=...)``: a bound task named and
    queued as the registry says (traveler_portal/tasks.py), on the one base class; other
    options become attributes of the task (Celery's own convention), hooks included."""
    return shared_task(name=spec.name, queue=spec.queue, base=PortalTask, bind=True,
                       **options)
