"""Server time of the busiest pages over a large case load; prints figures, asserts none.

    python -m bench.pages                       # SQLite file in a temp dir
    BENCH_DATABASE_URL=postgresql://... python -m bench.pages

Files, routes and decides BENCH_BASE petitions through the domain services (so every row is
one the product itself would write), then copies those rows in bulk until the database
holds BENCH_PETITIONS petitions of one organization, most of them in the one US-BLAINE
queue (the worst case for an officer's list, an employer's dashboard and the estimate).
Each page is then requested BENCH_REQUESTS times in process (Flask's test client: the
server's own time, network excluded) and its median and 95th percentile are printed.
BENCH_DATABASE_URL must name a disposable database (ends in _bench, or empty):
the benchmark drops its schema.
"""
import os
import statistics
import sys
import time
from datetime import timedelta

from bench import safety

os.environ["PORTAL_ENV"] = "testing"
safety.instance_dir()  # before the app's config reads INSTANCE_PATH; removed at exit
# A database that is not disposable is refused before the app is even imported.
URL = safety.database_url()

import sqlalchemy as sa  # noqa: E402

from tests import factories  # noqa: E402
from tests.dbsetup import fresh_database  # noqa: E402
from traveler_portal import create_app  # noqa: E402
from traveler_portal.domain import accounts, adjudication, routing  # noqa: E402
from traveler_portal.domain.adjudication import DecisionInput  # noqa: E402
from traveler_portal.extensions import db  # noqa: E402
from traveler_portal.models import Petition  # noqa: E402
from traveler_portal.models.users import utcnow  # noqa: E402

BASE = int(os.environ.get("BENCH_BASE", "200"))
PETITIONS = int(os.environ.get("BENCH_PETITIONS", "20000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
ORGANIZATION = "Bench Robotics Ltd."


def _seed():
    """The base cases through the domain: half decided (the estimate's sample), a few
    claimed, the rest waiting in the queue."""
    employer = factories.user("employer", organization=ORGANIZATION)
    traveler = factories.user("traveler", organization=ORGANIZATION)
    officer = factories.user("officer", country="US")
    supervisor = factories.user("supervisor", country="US")
    today = utcnow().date()
    for i in range(BASE):
        petition = factories.submitted(traveler, days_ahead=5 + i % 120)
        routing.route(petition.id)
    for i in range(BASE // 2):
        claimed = adjudication.claim_next(officer, "US-BLAINE")
        adjudication.decide(officer, claimed.receipt_number, DecisionInput(
            outcome="approved", valid_until=today + timedelta(days=365 - i)))
    mine = adjudication.claim_next(officer, "US-BLAINE")
    return employer, traveler, officer, supervisor, mine


def _multiply():
    """Copy the petitions' rows (new ids and receipt numbers) until PETITIONS exist."""
    table = Petition.__table__
    columns = [c for c in table.columns if c.name not in ("id", "receipt_number")]
    rows = [dict(r._mapping) for r in db.session.execute(
        sa.select(*columns).where(table.c.status != "in_review"))]
    have, copy = len(rows) + 1, 0
    while have < PETITIONS:
        batch = []
        for row in rows[:PETITIONS - have]:
            batch.append({**row, "receipt_number": f"US-2026-B{copy:06d}"})
            copy += 1
        db.session.execute(table.insert(), batch)
        have += len(batch)
    db.session.commit()


def _time(client, path, headers=None) -> list[float]:
    client.get(path, headers=headers)  # warm caches (templates, statements)
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        response.get_data()  # a streamed response (the CSV) is produced while read
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    return times


def main():
    url = URL
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "UPLOAD_DIR": os.path.join(os.environ["INSTANCE_PATH"], "uploads")})
    with app.app_context():
        fresh_database()
        started = time.perf_counter()
        employer, traveler, officer, supervisor, mine = _seed()
        _multiply()
        setup = time.perf_counter() - started
        token, _row = accounts.issue_token(employer)
        counts = dict(db.session.execute(sa.select(Petition.status, sa.func.count())
                                         .group_by(Petition.status)).all())
        receipt = mine.receipt_number
        users = {"officer": officer, "supervisor": supervisor, "employer": employer,
                 "traveler": traveler}
        pages = [
            ("officer", "officer: queues and summaries", "/officer/"),
            ("officer", "officer: queue list, first page", "/officer/queues/US-BLAINE"),
            ("officer", "officer: case view", f"/officer/cases/{receipt}"),
            ("supervisor", "supervisor: country dashboard", "/supervisor/"),
            ("employer", "employer: dashboard, first page", "/employer/"),
            ("employer", "employer: CSV export, every row", "/employer/petitions.csv"),
            ("traveler", "traveler: petition list", "/my/"),
            ("traveler", "traveler: status, position, estimate", f"/my/petitions/{receipt}"),
            (None, "API: GET /petitions?limit=100", "/api/v1/petitions?limit=100"),
        ]
        emails = {role: user.email for role, user in users.items()}
    print(f"database: {url.split(':')[0]}; {sum(counts.values())} petitions "
          f"({', '.join(f'{s.value} {n}' for s, n in sorted(counts.items()))}); "
          f"setup {setup:.1f} s")
    print(f"{'page':<40} {'median ms':>10} {'p95 ms':>8}")
    for role, label, path in pages:
        with app.app_context():
            if role:
                client = app.test_client()
                signed_in = client.post("/login", data={"email": emails[role],
                                                        "password": factories.PASSWORD})
                if signed_in.headers.get("Location", "").endswith("/login/code"):
                    # Agency accounts: the second factor (factories enrolled them).
                    signed_in = client.post("/login/code",
                                            data={"code": factories.otp(emails[role])})
                assert signed_in.status_code == 302, f"{role} could not sign in"
                times = _time(client, path)
            else:
                times = _time(app.test_client(), path,
                              headers={"Authorization": f"Bearer {token}"})
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        print(f"{label:<40} {statistics.median(times):>10.1f} {p95:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
