"""A task owns its transaction (workers/base.py runs each one in ``uow.boundary``): the
services it calls are savepoints inside it, kept together when the task returns and
undone together when it raises; a task the outbox sent confirms its row in that same
transaction, unless it is not done or dies."""
import contextlib

import pytest
import sqlalchemy as sa

from tests.statements import counted, queries
from traveler_portal.domain import outbox, uow
from traveler_portal.domain.errors import ValidationFailed
from traveler_portal.extensions import db
from traveler_portal.models import Organization, OutboxMessage


@uow.atomic
def _add(name):
    db.session.add(Organization(name=name))


@uow.atomic
def _refuse():
    raise ValidationFailed("refused", {"name": "refused"})


def _names():
    return set(db.session.scalars(sa.select(Organization.name)))


def test_two_services_in_a_task_are_kept_together(app, task_class):
    class Both(task_class):
        name = "test.both"

        def run(self):
            _add("First Ltd.")
            _add("Second Ltd.")
            return True

    assert Both()() is True
    with app.app_context():
        assert {"First Ltd.", "Second Ltd."} <= _names()


def test_a_task_that_fails_after_a_service_keeps_nothing(app, task_class):
    class SecondFails(task_class):
        name = "test.second_fails"

        def run(self):
            _add("Kept Only If All Ltd.")  # its own savepoint: it does not commit
            _refuse()

    with pytest.raises(ValidationFailed):
        SecondFails()()
    with app.app_context():
        assert "Kept Only If All Ltd." not in _names()


def test_a_task_may_handle_a_service_failure_and_keep_the_rest(app, task_class):
    class Recovers(task_class):
        name = "test.recovers"

        def run(self):
            _add("Survivor Ltd.")
            with contextlib.suppress(ValidationFailed):
                _refuse()  # undoes only its own savepoint
            return "done"

    assert Recovers()() == "done"
    with app.app_context():
        assert "Survivor Ltd." in _names()


def _sent_by_outbox(app, task, *args, seen=None):
    """Run ``task`` as the outbox sends it (task id ``outbox-<row>-…``): its row's id and
    the task's result, or the exception it raised. ``seen``: filled with the task's
    statements and its commits."""
    with app.app_context():
        with uow.atomic():
            message = outbox.enqueue(task.name, list(args), "notifications")
        message_id, engine = message.id, db.engine
    type(task).bind(app.extensions["celery"])  # a request stack, as a registered task has
    task.push_request(id=outbox.task_id_for(message_id))
    commits = []

    def committed(_connection):
        commits.append(1)
    sa.event.listen(engine, "commit", committed)
    try:
        with counted(engine) as statements:
            return message_id, task(*args)
    except ValidationFailed as exc:
        return message_id, exc
    finally:
        task.pop_request()
        sa.event.remove(engine, "commit", committed)
        if seen is not None:
            seen.update(statements=queries(statements), commits=len(commits))


def _confirmed(app, message_id) -> bool:
    with app.app_context():
        return db.session.get(OutboxMessage, message_id).confirmed_at is not None


def test_a_task_sent_by_the_outbox_confirms_its_row_with_its_work_and_only_then(
        app, task_class, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_RELAY_DEFERRED", True)  # no broker here

    class Works(task_class):
        name = "test.works"

        def run(self, name):
            _add(name)
            return True

    class Busy(task_class):
        name = "test.busy"

        def run(self, name):
            _add(name)
            return outbox.NOT_DONE

    class Dies(task_class):
        name = "test.dies"

        def run(self, name):
            _add(name)
            _refuse()

    seen = {}
    done, result = _sent_by_outbox(app, Works(), "Confirmed With Work Ltd.", seen=seen)
    assert result is True and _confirmed(app, done)
    # The confirmation is part of the task's one transaction: no commit of its own.
    assert [s.split()[0].upper() for s in seen["statements"]] == ["INSERT", "UPDATE"], seen
    assert seen["commits"] == 1
    busy, result = _sent_by_outbox(app, Busy(), "Busy Elsewhere Ltd.")
    assert result == outbox.NOT_DONE and not _confirmed(app, busy)
    died, result = _sent_by_outbox(app, Dies(), "Died Midway Ltd.")
    assert isinstance(result, ValidationFailed) and not _confirmed(app, died)
    with app.app_context():
        assert "Died Midway Ltd." not in _names()
