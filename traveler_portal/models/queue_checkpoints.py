"""Checkpoints of the queues' claim order, numbered by a beat task so that no list counts
a place from the head of a long queue (issue 16)."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class QueueCheckpoint(db.Model):
    """A queued petition's place in its queue as a beat task last numbered it
    (``queue_ranks.recompute``): the first waiting case of each (priority, due date)
    group of a queue, every ``queue_ranks.EVERY``-th one, and an end marker. A list of
    petitions then counts each one's place from the nearest checkpoint before it instead
    of from the head of the queue (issue 16). The row's claim-order key is copied, not
    referenced: the petition may have left the queue since. No personal data."""
    __tablename__ = "queue_checkpoints"
    __table_args__ = (
        sa.Index("ix_queue_checkpoints_key", "queue_id", "priority", "due_date",
                 "submitted_at", "petition_id"),
    )
    queue_id: Mapped[int] = mapped_column(sa.ForeignKey("queues.id"), primary_key=True)
    place: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    priority: Mapped[int]
    due_date: Mapped[date] = mapped_column(sa.Date)  # 9999-12-31: none (sorts last)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    petition_id: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)

