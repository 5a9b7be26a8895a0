"""What happened at the border: each inspection a port officer records, and the published
processing times (figures only, recomputed by a beat task)."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from .enums import ARRIVAL_OUTCOMES, Country, check_in, enum_column
from .petitions import Event, Petition
from .reference import Category, Port
from .types import UTCDateTime
from .users import User, utcnow


class Arrival(db.Model):
    """One inspection at a port of entry. With a petition: the traveler arrived with a
    decision (pre-adjudicated). Without: the quick "no pre-adjudication" entry that gives
    the supervisors' comparison its other half (no personal data is kept for it)."""
    __tablename__ = "arrivals"
    __table_args__ = (check_in("outcome", ARRIVAL_OUTCOMES),
                      sa.Index("ix_arrivals_port_started", "port_id", "inspection_started_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("petitions.id"), index=True)
    country: Mapped[Country] = mapped_column(enum_column(Country, "arrival_country"))
    port_id: Mapped[int] = mapped_column(sa.ForeignKey("ports.id"))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    admitted_until: Mapped[date | None] = mapped_column(sa.Date)
    reason_code: Mapped[str | None] = mapped_column(sa.String(64))
    inspection_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    inspection_ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The warnings the officer saw and recorded past ("outside validity", ...).
    warnings: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")
    # The timeline step it made on the petition (arrivals are not statuses).
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    petition: Mapped[Petition | None] = relationship(
        backref=backref("arrivals", order_by="Arrival.inspection_started_at"))
    port: Mapped[Port] = relationship()
    category: Mapped[Category | None] = relationship()
    officer: Mapped[User] = relationship()
    event: Mapped[Event | None] = relationship(backref=backref("arrival", uselist=False))

    @property
    def pre_adjudicated(self) -> bool:
        """The traveler arrived with a decision made in advance (a petition that was
        still undecided at the border counts as not pre-adjudicated)."""
        return self.petition_id is not None and "no_decision" not in (self.warnings or [])

    @property
    def minutes(self) -> float:
        return (self.inspection_ended_at - self.inspection_started_at).total_seconds() / 60


class ProcessingTime(db.Model):
    """Published processing times for one queue and category: days from submission to
    decision over the period. No personal data; rewritten whole by each run."""
    __tablename__ = "processing_times"
    __table_args__ = (sa.UniqueConstraint("country", "queue_code", "category_code",
                                          name="uq_processing_times_queue_category"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[Country] = mapped_column(enum_column(Country, "processing_country"))
    queue_code: Mapped[str] = mapped_column(sa.String(64))
    queue_name: Mapped[str] = mapped_column(sa.String(200))
    category_code: Mapped[str] = mapped_column(sa.String(32))
    category_name: Mapped[str] = mapped_column(sa.String(200))
    median_days: Mapped[int]
    p80_days: Mapped[int]
    decisions: Mapped[int]
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
