"""Messages for the broker, committed in the same transaction as the change they announce.

A relay publishes them after the commit; a periodic sweep publishes whatever the relay
could not (broker down, process killed between commit and publish). A row stays open
until its task confirms it (``confirmed_at``): the sweep publishes an open row again once
``redrive_after`` has passed (a lost message, a killed worker, a retry that is due).
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime
from .users import utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_unpublished", "created_at",
                 postgresql_where=sa.text("published_at IS NULL"),
                 sqlite_where=sa.text("published_at IS NULL")),
        sa.Index("ix_outbox_open", "redrive_after",
                 postgresql_where=sa.text("confirmed_at IS NULL"),
                 sqlite_where=sa.text("confirmed_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    task_name: Mapped[str] = mapped_column(sa.String(100))
    queue: Mapped[str] = mapped_column(sa.String(50))
    args: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redrive_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Failed attempts the task reported (its retries wait here, not in the broker).
    tries: Mapped[int] = mapped_column(default=0, server_default="0")
    # The task gave up (its last error kept); `flask --app wsgi outbox resend-failed`
    # opens the row again.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
