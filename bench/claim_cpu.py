"""CPU per claim, in process, one officer: what ``adjudication.claim_next`` costs the
client (process time: user + sys of this process, which load disturbs less than wall
time), and the statements it sends; prints figures.

    BENCH_DATABASE_URL=postgresql://…/portal_bench python -m bench.claim_cpu
    BENCH_CLAIMS (500), BENCH_PETITIONS (1000, bulk-loaded), BENCH_PROFILE=1 (cProfile,
    the top of the cumulative listing)

Each claim runs in its own app context and transaction, as the claims figure of
bench.ratios does; claimed cases go back to the queue between rounds. The broker is
BENCH_BROKER_URL or an embedded redis-server (the claim publishes its fan-out message).
"""
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from bench import safety

os.environ["PORTAL_ENV"] = "testing"
INSTANCE = Path(safety.instance_dir())

from bench import loader, ratios, stack  # noqa: E402
from tests.dbsetup import fresh_database  # noqa: E402
from tests.statements import counted, queries  # noqa: E402
from traveler_portal import create_app  # noqa: E402
from traveler_portal.domain import adjudication  # noqa: E402
from traveler_portal.extensions import db  # noqa: E402
from traveler_portal.models import User  # noqa: E402

CLAIMS = int(os.environ.get("BENCH_CLAIMS", "500"))
PETITIONS = int(os.environ.get("BENCH_PETITIONS", "1000"))
BATCH = 50  # claims between two requeues (a 1k load holds fewer queued cases than CLAIMS)


def main():
    url = safety.database_url()
    broker_url, stop_broker = stack.broker(INSTANCE)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CELERY_BROKER_URL": broker_url,
                          "UPLOAD_DIR": str(INSTANCE / "uploads")})
        with app.app_context():
            fresh_database()
            w = ratios.seed()
            loader.grow(w["template"], PETITIONS)
            officer_id = db.session.scalar(db.select(User.id).where(
                User.email == w["emails"]["officer"]))

        def claim():
            with app.app_context():
                officer = db.session.get(User, officer_id)
                assert adjudication.claim_next(officer, ratios.QUEUE) is not None

        for _ in range(20):  # warm: statements built and cached, connections open
            claim()
        with app.app_context():
            engine = db.engine
        with counted(engine) as statements:
            claim()
        print("statements of one claim (with its officer's load):")
        for s in queries(statements):
            print("  ", " ".join(s.split())[:110])
        profile = cProfile.Profile(time.process_time) if os.environ.get("BENCH_PROFILE") \
            else None
        cpu, wall = [], []  # per batch, per claim
        for batch in range(0, CLAIMS, BATCH):
            ratios.requeue(app, w)
            n = min(BATCH, CLAIMS - batch)
            started, wall_started = time.process_time(), time.perf_counter()
            if profile:
                profile.enable()
            for _ in range(n):
                claim()
            if profile:
                profile.disable()
            cpu.append((time.process_time() - started) / n * 1000)
            wall.append((time.perf_counter() - wall_started) / n * 1000)
        print(f"database: {url.split(':')[0]}; {CLAIMS} claims, one officer, in batches of "
              f"{BATCH}")
        print(f"CPU per claim: median {statistics.median(cpu):.2f} ms, least "
              f"{min(cpu):.2f} ms (of a batch); wall per claim: median "
              f"{statistics.median(wall):.2f} ms; load average: {os.getloadavg()}")
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    finally:
        stop_broker()
    return 0


if __name__ == "__main__":
    sys.exit(main())
