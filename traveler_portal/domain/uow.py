"""The one place that commits a change made by a domain service.

It commits the caller's transaction (the change and its outbox rows together) and only
then publishes the outbox rows, so a fast worker never runs before the row it needs exists.
In a request, publishing waits until the view has built its response: the caller sees the
state it committed (``submitted``), not whatever a fast worker made of it a moment later.
"""
import logging

from flask import after_this_request, has_request_context

from ..extensions import db
from . import outbox

log = logging.getLogger(__name__)


def commit() -> None:
    session = db.session
    session.flush()
    pending = [m.id for m in session.info.pop(outbox.PENDING_KEY, [])]
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
    if not pending:
        return
    if has_request_context():
        after_this_request(_relay_after_response(pending))
    else:
        outbox.relay(pending)


def _relay_after_response(pending: list[int]):
    def relay(response):
        try:
            outbox.relay(pending)
        except Exception:  # noqa: BLE001 - the rows are committed; the sweeper sends them
            log.exception("outbox relay after the response failed; the sweep will retry")
            db.session.rollback()
        return response
    return relay


def rollback() -> None:
    db.session.info.pop(outbox.PENDING_KEY, None)
    db.session.rollback()
