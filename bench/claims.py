"""Claim throughput and correctness under concurrent officers; prints figures.

    python -m bench.claims                      # SQLite file in a temp dir
    BENCH_DATABASE_URL=postgresql://... python -m bench.claims

Creates N queued petitions directly through the domain services, then T threads claim
until the queue is empty. Reports claims per second and whether any petition was claimed
twice or missed. BENCH_DATABASE_URL must name a disposable database (ends in _bench, or empty):
the benchmark drops its schema.
"""
import os
import sys
import threading
import time
from collections import Counter

from bench import safety

os.environ["PORTAL_ENV"] = "testing"
safety.instance_dir()  # before the app's config reads INSTANCE_PATH; removed at exit
# A database that is not disposable is refused before the app is even imported.
URL = safety.database_url()

import sqlalchemy as sa  # noqa: E402

from tests import factories  # noqa: E402
from tests.dbsetup import fresh_database  # noqa: E402
from traveler_portal import create_app  # noqa: E402
from traveler_portal.domain import adjudication, routing  # noqa: E402
from traveler_portal.extensions import db  # noqa: E402
from traveler_portal.models import Petition, User  # noqa: E402

PETITIONS = int(os.environ.get("BENCH_PETITIONS", "400"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))


def main():
    url = URL
    app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_DIR": os.path.join(os.environ["INSTANCE_PATH"], "uploads")})
    with app.app_context():
        fresh_database()
        traveler = factories.user("traveler")
        officer_ids = [factories.user("officer", country="US").id for _ in range(THREADS)]
        started = time.perf_counter()
        for i in range(PETITIONS):
            petition = factories.submitted(traveler, days_ahead=5 + i % 90)
            routing.route(petition.id)
        setup = time.perf_counter() - started
    claimed, errors = [], []

    def officer_loop(officer_id):
        with app.app_context():
            officer = db.session.get(User, officer_id)
            while True:
                try:
                    petition = adjudication.claim_next(officer, "US-BLAINE")
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    errors.append(repr(exc))
                    db.session.rollback()
                    continue
                if petition is None:
                    return
                claimed.append(petition.id)

    threads = [threading.Thread(target=officer_loop, args=(oid,)) for oid in officer_ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    doubles = sum(1 for n in Counter(claimed).values() if n > 1)
    with app.app_context():
        left = db.session.scalar(sa.select(sa.func.count()).select_from(Petition)
                                 .where(Petition.status == "queued"))
    print(f"database: {url.split(':')[0]}")
    print(f"setup: {PETITIONS} petitions filed, submitted and routed in {setup:.1f} s")
    print(f"claims: {len(claimed)} by {THREADS} threads in {elapsed:.2f} s "
          f"= {len(claimed) / elapsed:.0f} claims/s")
    print(f"double claims: {doubles}; left in queue: {left}; errors: {len(errors)}")
    if errors:
        print("first error:", errors[0])
    return 0 if doubles == 0 and left == 0 and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
