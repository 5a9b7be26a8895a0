"""The audit trail: append-only (the application has no update or delete path for it)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime
from .users import utcnow


class AuditEntry(db.Model):
    """Who did what, when and from where: case and document views by agency staff,
    decisions, claims, releases, reassignments, rule changes, role changes."""
    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_petition_at", "petition_id", "at"),
                      sa.Index("ix_audit_entries_at", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_email: Mapped[str] = mapped_column(sa.String(254), default="")
    country: Mapped[str | None] = mapped_column(sa.String(2))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[str] = mapped_column(sa.String(64))
    petition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("petitions.id"))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
