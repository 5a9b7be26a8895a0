"""The audit trail: who did what, when, and from where.

:func:`record` adds an entry in the caller's transaction, so it is committed (or rolled
back) with the change it describes. The trail is append-only: this module, and the whole
application, has no path that updates or deletes an entry.
"""
import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import has_request_context, request

from ..extensions import db
from ..models import AuditEntry, Petition
from ..models.users import utcnow

CSV_COLUMNS = ["at", "actor_email", "country", "action", "object_type", "object_id",
               "receipt_number", "ip_address", "user_agent", "details"]
PAGE_SIZE = 100


def _clean(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if value is None or isinstance(value, (int, float, bool, str)):
        return value
    return str(value)


def _values(actor, action: str, object_type: str, object_id, petition, details) -> dict:
    ip, agent = "", ""
    if has_request_context():
        ip = (request.remote_addr or "")[:64]
        agent = (request.user_agent.string or "")[:300]
    country = getattr(actor, "country", None) if actor is not None else None
    return {"at": utcnow(), "actor_id": getattr(actor, "id", None),
            "actor_email": getattr(actor, "email", "") or "",
            "country": country.value if hasattr(country, "value") else country,
            "action": action[:64], "object_type": object_type[:32],
            "object_id": str(object_id)[:64],
            "petition_id": petition.id if petition is not None else None,
            "details": _clean(details), "ip_address": ip, "user_agent": agent}


def record(actor, action: str, object_type: str, object_id, petition=None,
           **details) -> AuditEntry:
    """Append one entry (committed with the caller's transaction)."""
    entry = AuditEntry(**_values(actor, action, object_type, object_id, petition, details))
    db.session.add(entry)
    return entry


# What ``insert_from`` takes as parameters (``bound``): who, when, from where, the details.
BOUND = ("at", "actor_id", "actor_email", "country", "details", "ip_address", "user_agent")


def bound(actor, at, **details) -> dict:
    """``insert_from``'s parameters (``a_…``) for an entry by ``actor`` at ``at``."""
    values = _values(actor, "", "", "", None, details)
    values["at"] = at
    return {f"a_{name}": values[name] for name in BOUND}


def insert_from(rows, action: str, object_type: str, object_id) -> sa.Insert:
    """SQL: one entry per row of ``rows`` (petitions: a CTE or a subquery with their
    ``id``), for a service that writes its entry in its change's own statement
    (``workflow.take_first_statement``); ``object_id`` is an expression of ``rows``, the
    rest is bound (``bound``)."""
    c = AuditEntry.__table__.c
    values = {**{name: sa.bindparam(f"a_{name}", type_=c[name].type) for name in BOUND},
              "action": sa.literal(action[:64], c.action.type),
              "object_type": sa.literal(object_type[:32], c.object_type.type),
              "object_id": sa.cast(object_id, c.object_id.type), "petition_id": rows.c.id}
    return sa.insert(AuditEntry.__table__).from_select(
        list(values), sa.select(*values.values()).select_from(rows))


def staff_read(user, action: str, object_type: str, object_id, petition, **details) -> None:
    """Agency staff reading a case, a document or a notice, in the browser or through the
    API: recorded like any other entry. Travelers' and employers' reads are not."""
    if getattr(user, "is_agency", False):
        record(user, action, object_type, object_id, petition, **details)


def staff_case_views(user, petitions, **details) -> None:
    """A page of cases read by agency staff (an API list): one ``case.view`` each, written
    in one statement (SQLite cannot batch ORM inserts that return their keys)."""
    staff_views(user, "case.view", petitions, **details)


def staff_views(user, action: str, petitions, **details) -> None:
    """One ``action`` entry per petition of a page read by agency staff, in one statement."""
    if getattr(user, "is_agency", False) and petitions:
        db.session.execute(sa.insert(AuditEntry), [
            _values(user, action, "petition", p.receipt_number, p, details)
            for p in petitions])


def staff_reads(user, petition, reads) -> None:
    """Several reads of one petition by agency staff on one page (``reads``: (action,
    details) pairs), in one statement."""
    if getattr(user, "is_agency", False) and reads:
        db.session.execute(sa.insert(AuditEntry), [
            _values(user, action, "petition", petition.receipt_number, petition, details)
            for action, details in reads])


@dataclass
class AuditFilter:
    actor_email: str = ""
    action: str = ""
    receipt_number: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _query(country, filters: AuditFilter):
    query = (sa.select(AuditEntry, Petition.receipt_number)
             .outerjoin(Petition, Petition.id == AuditEntry.petition_id)
             .where(AuditEntry.country == (country.value if hasattr(country, "value")
                                           else country)))
    if filters.actor_email:
        query = query.where(AuditEntry.actor_email.icontains(filters.actor_email.strip(),
                                                                  autoescape=True))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.receipt_number:
        query = query.where(Petition.receipt_number == filters.receipt_number.strip().upper())
    if filters.date_from:
        query = query.where(AuditEntry.at >= datetime.combine(filters.date_from, time.min,
                                                              UTC))
    if filters.date_to:
        query = query.where(AuditEntry.at < datetime.combine(
            filters.date_to + timedelta(days=1), time.min, UTC))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def entries(country, filters: AuditFilter, limit: int | None = PAGE_SIZE) -> list:
    """(entry, receipt number) rows of the country's trail, newest first."""
    query = _query(country, filters)
    if limit:
        query = query.limit(limit)
    return db.session.execute(query).all()


def actions(country) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).distinct()
                                   .where(AuditEntry.country == getattr(country, "value",
                                                                        country))
                                   .order_by(AuditEntry.action)))


def to_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry, receipt in rows:
        writer.writerow([_cell(v) for v in (
            entry.at.isoformat(timespec="seconds"), entry.actor_email, entry.country or "",
            entry.action, entry.object_type, entry.object_id, receipt or "",
            entry.ip_address, entry.user_agent,
            json.dumps(entry.details or {}, sort_keys=True, ensure_ascii=False))])
    return out.getvalue()


def _cell(value: str) -> str:
    """No spreadsheet formulas from user-supplied text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
