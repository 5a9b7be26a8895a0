"""A task owns its transaction (workers/base.py runs each one in ``uow.boundary``): the
services it calls are savepoints inside it, kept together when the task returns and
undone together when it raises."""
import contextlib

import pytest
import sqlalchemy as sa

from traveler_portal.domain import uow
from traveler_portal.domain.errors import ValidationFailed
from traveler_portal.extensions import db
from traveler_portal.models import Organization


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
