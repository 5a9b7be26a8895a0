"""Claim-next skips only the cases another claimer holds. A transaction that merely refers
to a queued case (the fan-out task inserting the traveler's notification: a foreign key
takes a KEY SHARE lock on the petition) must not make the case look taken: an officer
would be told the queue is empty while it is not. PostgreSQL's row locks; SQLite runs one
writer at a time, and the CI runs this file on PostgreSQL too."""
import pytest

from tests.unit.test_status import queued
from traveler_portal.domain import adjudication
from traveler_portal.extensions import db


def _held(petition_id: int, lock: str):
    """Another connection holding ``lock`` on the petition's row, in an open transaction."""
    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    if getattr(raw.driver_connection, "autocommit", False):
        cursor.execute("BEGIN")
    cursor.execute(f"SELECT id FROM petitions WHERE id = %s FOR {lock}", (petition_id,))
    return raw


@pytest.mark.parametrize("lock, claimable", [("KEY SHARE", True), ("NO KEY UPDATE", False)])
def test_claim_next_skips_a_case_only_while_another_claimer_holds_it(make, lock, claimable):
    traveler, officer = make.user("traveler"), make.user("officer", country="US")
    petition = queued(traveler)
    db.session.commit()
    if db.engine.dialect.name != "postgresql":
        assert adjudication.claim_next(officer, "US-BLAINE").id == petition.id
        return
    other = _held(petition.id, lock)
    try:
        claimed = adjudication.claim_next(officer, "US-BLAINE")
    finally:
        other.rollback()
        other.close()
    assert (claimed is not None and claimed.id == petition.id) is claimable
