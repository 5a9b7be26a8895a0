"""Consistency across ports, for supervisors: per port of their country, the arrivals and
their outcomes, the median inspection minutes of pre-adjudicated travelers beside those
without a decision, and a port's outcomes per category side by side with the country's.
Read-only."""
import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Arrival, Port
from ..models.enums import ARRIVAL_OUTCOMES
from ..models.users import utcnow

WINDOW_DAYS = 90


@dataclass
class Tally:
    """Arrivals counted by outcome, and inspection minutes with and without a decision."""
    outcomes: dict = field(default_factory=lambda: dict.fromkeys(ARRIVAL_OUTCOMES, 0))
    with_decision: list = field(default_factory=list)
    without_decision: list = field(default_factory=list)

    def add(self, arrival: Arrival) -> None:
        self.outcomes[arrival.outcome] += 1
        (self.with_decision if arrival.pre_adjudicated else self.without_decision).append(
            arrival.minutes)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def share(self, outcome: str) -> int:
        """Percent of the arrivals with this outcome (whole number)."""
        return round(100 * self.outcomes[outcome] / self.total) if self.total else 0

    @staticmethod
    def _median(values):
        return round(statistics.median(values), 1) if values else None

    @property
    def median_with(self):
        return self._median(self.with_decision)

    @property
    def median_without(self):
        return self._median(self.without_decision)


def arrivals(country, days: int = WINDOW_DAYS, port_code: str | None = None) -> list[Arrival]:
    since = utcnow() - timedelta(days=days)
    query = (sa.select(Arrival).join(Port, Port.id == Arrival.port_id)
             .where(Arrival.country == country, Arrival.inspection_started_at >= since)
             .options(selectinload(Arrival.port), selectinload(Arrival.category),
                      selectinload(Arrival.petition))
             .order_by(Arrival.inspection_started_at.desc()))
    if port_code:
        query = query.where(Port.code == port_code)
    return db.session.scalars(query).all()


def per_port(rows: list[Arrival]) -> list[tuple[Port, Tally]]:
    tallies: dict[int, tuple[Port, Tally]] = {}
    for arrival in rows:
        tallies.setdefault(arrival.port_id, (arrival.port, Tally()))[1].add(arrival)
    return sorted(tallies.values(), key=lambda pair: pair[0].name)


def per_category(rows: list[Arrival], port_code: str) -> list[tuple[str, Tally, Tally]]:
    """(category code, the port's tally, the country's tally) for each category seen at the
    port; arrivals of unknown category are "–"."""
    port, country = {}, {}
    for arrival in rows:
        code = arrival.category.code if arrival.category else "–"
        country.setdefault(code, Tally()).add(arrival)
        if arrival.port.code == port_code:
            port.setdefault(code, Tally()).add(arrival)
    return [(code, port[code], country[code]) for code in sorted(port)]


CSV_COLUMNS = ["inspection_started_at", "inspection_ended_at", "minutes", "port", "category",
               "pre_adjudicated", "receipt_number", "outcome", "admitted_until",
               "reason_code"]


def to_csv(rows: list[Arrival]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for a in rows:
        writer.writerow([a.inspection_started_at.isoformat(timespec="minutes"),
                         a.inspection_ended_at.isoformat(timespec="minutes"),
                         round(a.minutes, 1), a.port.code,
                         a.category.code if a.category else "",
                         "yes" if a.pre_adjudicated else "no",
                         a.petition.receipt_number if a.petition else "", a.outcome,
                         a.admitted_until.isoformat() if a.admitted_until else "",
                         a.reason_code or ""])
    return out.getvalue()
