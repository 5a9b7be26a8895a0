"""Places in their queues for a page of petitions at once (the API's list of 100).

A petition's place is how many queued petitions of its queue ``adjudication.CLAIM_ORDER``
puts before it, plus one. Counted petition by petition (``status.queue_position``), a page
of 50 queued petitions scans its queue 50 times; numbered here by one pass over each of
the page's queues in claim order (the partial index ix_petitions_claim_order holds that
order), the page reads each of those queues once (issue 16).
"""
import sqlalchemy as sa

from ..extensions import db
from ..models import Petition, Status
from .adjudication import CLAIM_ORDER


def _statement():
    """Built once, its ids bound per call (building the expression costs more than
    running it on a small queue)."""
    ids = sa.bindparam("ids", expanding=True)
    queues = sa.select(Petition.queue_id).where(Petition.id.in_(ids)).scalar_subquery()
    ranked = (sa.select(Petition.id, sa.func.row_number().over(
        partition_by=Petition.queue_id, order_by=CLAIM_ORDER).label("place"))
        .where(Petition.status == Status.QUEUED, Petition.queue_id.in_(queues))
        .subquery())
    return sa.select(ranked.c.id, ranked.c.place).where(ranked.c.id.in_(ids))


_PLACES = _statement()


def places(ids: list[int]) -> dict[int, int]:
    """{petition id: place in its queue, 1 first} of the queued petitions among ``ids``."""
    if not ids:
        return {}
    return dict(db.session.execute(_PLACES, {"ids": ids}).all())
