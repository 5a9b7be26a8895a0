"""Notifications: one per recipient per case event, listed in the app and emailed."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .petitions import Event, Petition
from .types import UTCDateTime
from .users import User, utcnow

EMAIL_STATES = ("pending", "sent", "skipped", "failed")


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # The same event never notifies the same person twice, however often the task runs.
        sa.UniqueConstraint("user_id", "dedup_key", name="uq_notifications_user_dedup"),
        sa.CheckConstraint(f"email_state IN {EMAIL_STATES}", name="email_state"),
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    petition_id: Mapped[int] = mapped_column(sa.ForeignKey("petitions.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id"))
    # "event:<id>" for status changes; "reminder:<kind>:<petition>:<date>" for reminders.
    dedup_key: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(32))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_state: Mapped[str] = mapped_column(sa.String(16), default="pending")
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_error: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship()
    petition: Mapped[Petition] = relationship()
    event: Mapped[Event | None] = relationship()
