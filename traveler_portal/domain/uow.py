"""The one place that commits a change made by a domain service.

It commits the caller's transaction (the change and its outbox rows together) and only
then publishes the outbox rows, so a fast worker never runs before the row it needs exists.
"""
from ..extensions import db
from . import outbox


def commit() -> None:
    session = db.session
    session.flush()
    pending = [m.id for m in session.info.pop(outbox.PENDING_KEY, [])]
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
    if pending:
        outbox.relay(pending)


def rollback() -> None:
    db.session.info.pop(outbox.PENDING_KEY, None)
    db.session.rollback()
