"""The employer's CSV export of every row, streamed: time and memory; prints figures,
asserts none (issue 16's target: 100,000 rows in under 10 s with flat memory).

    BENCH_DATABASE_URL=postgresql://…/portal_bench python -m bench.export
    BENCH_EXPORT_ROWS=100000 (the default)

Files a few cases through the domain, copies them in bulk (``bench.loader``) until the
organization holds BENCH_EXPORT_ROWS petitions, then reads ``/employer/petitions.csv`` in
process (Flask's test client: the server's own time, network excluded) chunk by chunk as
a client would, noting the process's resident memory every 10,000 rows: flat memory is
the same figure at 10,000 rows as at 100,000. The database must be disposable
(``bench.safety``): the benchmark drops its schema.
"""
import os
import sys
import time
from datetime import timedelta

from bench import safety

os.environ["PORTAL_ENV"] = "testing"
safety.instance_dir()  # before the app's config reads INSTANCE_PATH; removed at exit
# A database that is not disposable is refused before the app is even imported.
URL = safety.database_url()

from bench import loader  # noqa: E402
from tests import factories  # noqa: E402
from tests.dbsetup import fresh_database  # noqa: E402
from traveler_portal import create_app  # noqa: E402
from traveler_portal.domain import adjudication, routing  # noqa: E402
from traveler_portal.domain.adjudication import DecisionInput  # noqa: E402
from traveler_portal.models.users import utcnow  # noqa: E402

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))
ORGANIZATION = "Bench Export Ltd."
STEP = 10_000


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def seed() -> tuple[str, int]:
    """An employer and a traveler of one organization, ten cases filed and routed, two
    approved (the loader copies a routed one)."""
    employer = factories.user("employer", organization=ORGANIZATION)
    traveler = factories.user("traveler", organization=ORGANIZATION)
    officer = factories.user("officer", country="US")
    template = None
    for i in range(10):
        petition = factories.submitted(traveler, days_ahead=5 + i)
        routing.route(petition.id)
        template = template or petition.id
    for i in range(2):
        claimed = adjudication.claim_next(officer, "US-BLAINE")
        adjudication.decide(officer, claimed.receipt_number, DecisionInput(
            outcome="approved", valid_until=utcnow().date() + timedelta(days=300 - i)))
    return employer.email, template


def main():
    url = URL
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "UPLOAD_DIR": os.path.join(os.environ["INSTANCE_PATH"], "uploads")})
    with app.app_context():
        fresh_database()
        email, template = seed()
        started = time.perf_counter()
        loader.grow(template, ROWS)
        print(f"database: {url.split(':')[0]}; {loader.count():,} petitions loaded in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    client = app.test_client()
    signed = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert signed.status_code == 302, "the employer could not sign in"
    before = rss_mb()
    started = time.perf_counter()
    response = client.get("/employer/petitions.csv", buffered=False)
    assert response.status_code == 200, response.status_code
    lines, size, marks = -1, 0, []  # the header line is not a row
    for chunk in response.response:
        data = chunk if isinstance(chunk, bytes) else chunk.encode()
        size += len(data)
        lines += data.count(b"\n")
        if lines >= (len(marks) + 1) * STEP:
            marks.append((lines, time.perf_counter() - started, rss_mb()))
    elapsed = time.perf_counter() - started
    response.close()
    print(f"CSV export: {lines:,} rows, {size / 1e6:.1f} MB in {elapsed:.2f} s "
          f"({lines / elapsed:,.0f} rows/s); target: 100,000 rows in under 10 s")
    print(f"resident memory: {before:.1f} MB before the request")
    for rows, at, mb in marks:
        print(f"  {rows:>8,} rows  {at:6.2f} s  {mb:6.1f} MB")
    grown = marks[-1][2] - marks[0][2] if len(marks) > 1 else 0.0
    print(f"memory from the first {STEP:,} rows to the last: {grown:+.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
