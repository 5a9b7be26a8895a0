"""The unit of work: the boundary that commits, and the only code that does.

A domain service declares itself ``@atomic``; so do the boundaries around it (every view
and API handler, through ``web``'s wrapper; every task, through ``workers``' base class; a
CLI command). The outermost ``atomic`` commits the change and its outbox rows together, then
publishes the rows, so a fast worker never runs before the row it needs exists; an inner
one is a savepoint, so a service that fails undoes exactly its own work and the caller
decides what happens next (two services can share one transaction). In a request,
publishing waits until the view has built its response: the caller sees the state it
committed (``submitted``), not whatever a fast worker made of it a moment later.
"""
import functools
import logging
from contextlib import contextmanager

from flask import after_this_request, has_request_context

from ..extensions import db
from . import outbox

log = logging.getLogger(__name__)
DEPTH_KEY = "uow_depth"
UNDO_KEY = "uow_undo"


def on_rollback(undo) -> None:
    """Call ``undo()`` if the work in progress is rolled back (a file written for a row
    that is not kept): by the unit it belongs to, or by a failed commit."""
    db.session.info.setdefault(UNDO_KEY, []).append(undo)


def _run_undo(session, mark: int = 0) -> None:
    undo = session.info.get(UNDO_KEY, [])
    for action in reversed(undo[mark:]):
        try:
            action()
        except Exception:  # noqa: BLE001 - undoing is best effort; the rollback stands
            log.exception("undo after rollback failed")
    del undo[mark:]


@contextmanager
def _unit(keep=None):
    session = db.session
    depth = session.info.get(DEPTH_KEY, 0)
    session.info[DEPTH_KEY] = depth + 1
    try:
        if depth and _untouched(session):
            yield from _first_unit(session)
        elif depth:
            yield from _savepoint(session)
        else:
            try:
                yield
            except BaseException:
                rollback()
                raise
            if keep is None or keep():
                commit()
            else:
                rollback()
    finally:
        session.info[DEPTH_KEY] = depth


def _untouched(session) -> bool:
    """Nothing has happened in the boundary's transaction yet: no statement, no change."""
    return not (session().in_transaction() or session.new or session.dirty or session.deleted)


def _first_unit(session):
    """A unit the boundary runs before touching the database itself (a task calling its
    service): there is nothing of the boundary's for it to keep apart, so it needs no
    savepoint (SAVEPOINT and RELEASE: two round trips per task). If it fails, the whole
    transaction, which holds only its work, is rolled back, as the savepoint would have
    been; if it succeeds, it is flushed and read back fresh, as a released savepoint is."""
    pending = session.info.setdefault(outbox.PENDING_KEY, [])
    mark, undo_mark = len(pending), len(session.info.setdefault(UNDO_KEY, []))
    try:
        yield
        session.flush()
    except BaseException:
        session.rollback()
        del pending[mark:]  # the messages of the work undone are not sent either
        _run_undo(session, undo_mark)
        raise
    session.expire_all()


def _savepoint(session):
    pending = session.info.setdefault(outbox.PENDING_KEY, [])
    mark, undo_mark = len(pending), len(session.info.setdefault(UNDO_KEY, []))
    savepoint = session.begin_nested()
    try:
        yield
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        del pending[mark:]  # the messages of the work undone are not sent either
        _run_undo(session, undo_mark)
        raise
    if savepoint.is_active:
        savepoint.commit()
        # As a commit would: what the service changed through foreign keys (a queue_id,
        # an assigned officer) is read back fresh, not from relationships loaded before.
        session.expire_all()


def atomic(fn=None):
    """``@atomic`` on a service (or ``with atomic():``): all of it or none of it; the
    outermost one commits."""
    if fn is None:
        return _unit()

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _unit():
            return fn(*args, **kwargs)
    return wrapper


def boundary(fn, succeeded=None):
    """The transaction of one request, task or command: commits when ``fn`` returns and
    ``succeeded(result)`` agrees (a view's response below 400), rolls back otherwise."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        box = {}
        with _unit(keep=(lambda: succeeded(box["result"])) if succeeded else None):
            box["result"] = fn(*args, **kwargs)
        return box["result"]
    return wrapper


def in_transaction() -> bool:
    return db.session.info.get(DEPTH_KEY, 0) > 0


def commit() -> None:
    """Commit now and publish the outbox rows committed. Only for boundaries and for the
    few tasks that must end a transaction midway (before a slow network call)."""
    session = db.session
    session.flush()
    # Read from the rows in memory before the commit expires them: the relay publishes
    # them without reading them back.
    pending = outbox.committed(session.info.pop(outbox.PENDING_KEY, []))
    try:
        session.commit()
    except Exception:
        rollback()
        raise
    session.info.pop(UNDO_KEY, None)
    if not pending:
        return
    if has_request_context():
        after_this_request(_relay_after_response(pending))
    else:
        outbox.relay_committed(pending)


def _relay_after_response(pending: list[outbox.Committed]):
    def relay(response):
        try:
            outbox.relay_committed(pending)
        except Exception:  # noqa: BLE001 - the rows are committed; the sweeper sends them
            log.exception("outbox relay after the response failed; the sweep will retry")
            db.session.rollback()
        return response
    return relay


def rollback() -> None:
    db.session.info.pop(outbox.PENDING_KEY, None)
    db.session.rollback()
    _run_undo(db.session)
