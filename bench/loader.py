"""Bulk loader: grow the petitions of a benchmark database to a target count in minutes.

PostgreSQL: one ``INSERT … SELECT … FROM generate_series`` per step (from 100,000 to a
million rows: 2.5-3.5 minutes on two shared, busy cores, most of it keeping the
petitions' indexes; then the beat tasks' tables and VACUUM (ANALYZE)), copying a template
petition the product itself filed, with its number, status, dates and priority varied per row;
approvals get their decision row the same way. SQLite: the same rows as multi-row inserts
of 5,000. Only for the disposable databases ``bench.safety`` accepts.

The mix: half decided (approved, decided 1-60 days after submission: the estimate's
sample), the rest waiting in the template's queue with spread priorities, due and travel
dates; every row belongs to the template's organization (the worst case for an officer's
queue, an employer's dashboard and the API list), filed by bulk travelers of that
organization, PER_TRAVELER petitions each (PostgreSQL; SQLite: the template's traveler).
"""
import contextlib
from datetime import timedelta

import sqlalchemy as sa

from traveler_portal.domain import organization_figures, queue_ranks
from traveler_portal.extensions import db
from traveler_portal.models import Decision, Petition, Status
from traveler_portal.models.users import utcnow

PER_TRAVELER = 20
COPIED = ("version", "destination_country", "category_id", "port_id", "job_title",
          "employer_name", "occupation", "duties", "worksite", "salary", "salary_currency",
          "details", "hold_reason", "checklist", "traveler_id", "organization_id",
          "created_by_id", "queue_id", "routing_reason", "attested_at")


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Petition))


def grow(template_id: int, target: int) -> int:
    """Add bulk rows until the table holds ``target`` petitions; returns how many were
    added. Row numbers continue from the bulk rows already there."""
    have = count()
    if have >= target:
        return 0
    start = db.session.scalar(sa.select(sa.func.count()).select_from(Petition)
                              .where(Petition.receipt_number.like("US-BULK-%")))
    if db.engine.dialect.name == "postgresql":
        _grow_postgresql(template_id, start, target - have)
    else:
        _grow_python(template_id, start, target - have)
    db.session.commit()
    organization_figures.recompute()  # as the beat tasks keep them in production
    queue_ranks.recompute()
    db.session.commit()  # a service never commits; the loader is its own boundary
    if db.engine.dialect.name == "postgresql":
        # The tables as autovacuum keeps them in production (the bench's server may run
        # without it): fresh statistics for the planner (a plan chosen on stale row counts
        # can cost 40× here) and the visibility map, without which every index-only scan
        # reads each row's heap page too (a page of queue places: 2,500 heap fetches that
        # a vacuumed table does without). Every table, one statement: 3-4 s at 1M rows.
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(sa.text("VACUUM (ANALYZE)"))
            # The load's gigabyte of dirty pages written out now, not by a checkpoint
            # spread over the minutes the pages are measured in (a database that grew
            # over months has no such backlog). Needs superuser; skipped without it.
            with contextlib.suppress(sa.exc.DBAPIError):
                conn.execute(sa.text("CHECKPOINT"))
    return target - have


def _bulk_travelers(template_id: int, start: int, n: int) -> None:
    """Travelers of the template's organization for rows start+1 … start+n (copies of the
    template's traveler), named bulk-<row // PER_TRAVELER>@bench.invalid."""
    db.session.execute(sa.text("""
        INSERT INTO users (email, name, password_hash, role, country, organization_id,
                           org_role, session_nonce, is_active_account, email_opt_out,
                           created_at)
        SELECT 'bulk-' || g || '@bench.invalid', 'Bulk Traveler ' || g, u.password_hash,
               u.role, u.country, u.organization_id, u.org_role, u.session_nonce, true,
               '[]', now()
        FROM petitions t JOIN users u ON u.id = t.traveler_id,
             generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
        WHERE t.id = :template
        ON CONFLICT (email) DO NOTHING"""), {
        "first": start // PER_TRAVELER, "last": (start + n) // PER_TRAVELER,
        "template": template_id})


def _grow_postgresql(template_id: int, start: int, n: int) -> None:
    columns = ", ".join(c for c in COPIED if c != "traveler_id")
    _bulk_travelers(template_id, start, n)
    db.session.execute(sa.text(f"""
        INSERT INTO petitions (receipt_number, status, travel_date, priority, due_date,
                               created_at, submitted_at, decided_at, traveler_id, {columns})
        SELECT 'US-BULK-' || lpad(g::text, 8, '0'),
               CASE WHEN g % 2 = 0 THEN 'approved' ELSE 'queued' END,
               CURRENT_DATE + (5 + g % 180),
               CASE WHEN g % 2 = 0 THEN 0 ELSE g % 4 END,
               CURRENT_DATE + (g % 30),
               now() - make_interval(days => 1 + g % 90),
               now() - make_interval(days => 1 + g % 90),
               CASE WHEN g % 2 = 0
                    THEN now() - make_interval(days => 1 + g % 90)
                         + make_interval(days => g % 60) END,
               (SELECT id FROM users WHERE email = 'bulk-' || g / {PER_TRAVELER}
                                                   || '@bench.invalid'),
               {columns}
        FROM petitions t, generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
        WHERE t.id = :template"""), {"first": start + 1, "last": start + n,
                                     "template": template_id})
    db.session.execute(sa.text("""
        INSERT INTO decisions (petition_id, outcome, message, reason_codes, valid_from,
                               valid_until, conditions, decided_at, officer_id)
        SELECT p.id, 'approved', '', '[]', CURRENT_DATE,
               CURRENT_DATE + (30 + p.id % 335), '{}', p.decided_at, d.officer_id
        FROM petitions p, (SELECT officer_id FROM decisions LIMIT 1) d
        WHERE p.receipt_number LIKE 'US-BULK-%' AND p.status = 'approved'
          AND p.id > (SELECT coalesce(max(petition_id), 0) FROM decisions)"""))


def _grow_python(template_id: int, start: int, n: int) -> None:
    table = Petition.__table__
    template = db.session.execute(sa.select(*(table.c[c] for c in COPIED))
                                  .where(table.c.id == template_id)).one()._asdict()
    now, today = utcnow(), utcnow().date()
    officer_id = db.session.scalar(sa.select(Decision.officer_id).limit(1))
    for first in range(start + 1, start + n + 1, 5000):
        rows = []
        for g in range(first, min(first + 5000, start + n + 1)):
            decided = g % 2 == 0
            submitted = now - timedelta(days=1 + g % 90)
            rows.append({**template, "receipt_number": f"US-BULK-{g:08d}",
                         "status": Status.APPROVED if decided else Status.QUEUED,
                         "travel_date": today + timedelta(days=5 + g % 180),
                         "priority": 0 if decided else g % 4,
                         "due_date": today + timedelta(days=g % 30),
                         "created_at": submitted, "submitted_at": submitted,
                         "decided_at": submitted + timedelta(days=g % 60) if decided else None})
        db.session.execute(table.insert(), rows)
        ids = db.session.execute(sa.select(table.c.id, table.c.decided_at).where(
            table.c.receipt_number.in_([r["receipt_number"] for r in rows if r["decided_at"]]))
        ).all()
        if ids and officer_id:
            db.session.execute(Decision.__table__.insert(), [
                {"petition_id": pid, "outcome": "approved", "message": "", "reason_codes": [],
                 "valid_from": today, "valid_until": today + timedelta(days=30 + pid % 335),
                 "conditions": {}, "decided_at": at,
                 "officer_id": officer_id} for pid, at in ids])
