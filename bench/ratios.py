"""`make bench`: every figure as a ratio to its ceiling, measured in the same run.

    BENCH_DATABASE_URL=postgresql://…/portal_bench make bench   (a disposable database)
    BENCH_SIZES=1000,100000 …                                   a quicker run, without 1M

Absolute times drift on a shared machine; a ratio to what the framework, the broker and
the database do bare, measured minutes apart on the same machine, does much less:
- web (wrk, gunicorn -w 2 --threads 4, production settings): API status, traveler status
  page, officer queue page, case view, claim-next, each ÷ a bare Flask hello under the
  identical command, alternated A/B/A/B;
- submit → queued p50/p95 (server: submit event to route event; client: polling the API)
  ÷ a bare Celery no-op round trip on the same Redis; routing throughput of one worker
  process ÷ the no-op's;
- claims per second by N officers (domain service) ÷ bare FOR UPDATE SKIP LOCKED claims;
- data growth: five pages' p95 at 100k and at 1M ÷ p95 at 1k petitions (bulk loader);
- peak RSS of a web worker and a Celery worker.
Prints one table, writes bench/results/<time>.json and bench/results/<time>.svg.
Settings: BENCH_WRK_SECONDS (5), BENCH_REQUESTS (20 per page and size), BENCH_THREADS (8
officers), BENCH_SIZES (1000,100000,1000000: the first is the growth rows' baseline, the
web, Celery and claims figures are taken at the second), BENCH_BROKER_URL (else an
embedded redis-server), BENCH_ONLY (a comma list of growth, web, celery, claims: measure only
those, e.g. while working on one figure).
"""
import gc
import json
import os
import re
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import safety

os.environ["PORTAL_ENV"] = "testing"
INSTANCE = Path(safety.instance_dir())

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench import chart, loader, stack  # noqa: E402
from tests import factories  # noqa: E402
from tests.dbsetup import fresh_database  # noqa: E402
from traveler_portal import create_app  # noqa: E402
from traveler_portal.domain import accounts, adjudication, routing  # noqa: E402
from traveler_portal.domain.adjudication import DecisionInput  # noqa: E402
from traveler_portal.extensions import db  # noqa: E402
from traveler_portal.models import Event, OutboxMessage, Petition, Status, User  # noqa: E402
from traveler_portal.models.users import utcnow  # noqa: E402

WRK_SECONDS = float(os.environ.get("BENCH_WRK_SECONDS", "5"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,100000,1000000").split(",")]
PARTS = {"growth", "web", "celery", "claims"}
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(","))) or PARTS
if ONLY - PARTS:
    sys.exit(f"BENCH_ONLY: unknown part(s) {', '.join(sorted(ONLY - PARTS))}; "
             f"choose from {', '.join(sorted(PARTS))}")
ROUTED, ROUND_TRIPS, BASE = 200, 30, 20
ORG, QUEUE = "Bench Robotics Ltd.", "US-BLAINE"
RESULTS = Path(__file__).resolve().parent / "results"


def p95(times):
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def log(message):
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- data ----------------------------------------------------------------------------------

def seed():
    """People and a base of cases filed, routed, claimed and decided through the domain."""
    people = {"employer": factories.user("employer", organization=ORG),
              "traveler": factories.user("traveler", organization=ORG),
              "officer": factories.user("officer", country="US"),
              "supervisor": factories.user("supervisor", country="US")}
    today = utcnow().date()
    for i in range(BASE):
        routing.route(factories.submitted(people["traveler"], days_ahead=5 + i).id)
    officer = people["officer"]
    for i in range(BASE // 2):
        claimed = adjudication.claim_next(officer, QUEUE)
        adjudication.decide(officer, claimed.receipt_number, DecisionInput(
            outcome="approved", valid_until=today + timedelta_days(365 - i)))
    case = adjudication.claim_next(officer, QUEUE).receipt_number
    waiting = db.session.scalars(sa.select(Petition).where(
        Petition.status == Status.QUEUED).order_by(Petition.id)).first()
    tokens = {role: accounts.issue_token(user)[0] for role, user in people.items()}
    emails = {role: user.email for role, user in people.items()}
    return {"case": case, "waiting": waiting.receipt_number, "template": waiting.id,
            "tokens": tokens, "emails": emails}


def timedelta_days(n):
    return timedelta(days=n)


# --- data growth (in process: the server's own time, network excluded) ----------------------

def growth_pages(w):
    return [("officer queue page", "officer", "GET", f"/officer/queues/{QUEUE}"),
            ("claim-next", "officer-api", "POST", f"/api/v1/queues/{QUEUE}/claim"),
            ("case view", "officer", "GET", f"/officer/cases/{w['case']}"),
            ("employer dashboard", "employer", "GET", "/employer/"),
            ("API list (100)", "employer-api", "GET", "/api/v1/petitions?limit=100")]


def measure_pages(app, w) -> dict:
    clients = {}
    for role in ("officer", "employer"):
        client = clients[role] = app.test_client()
        signed = client.post("/login", data={"email": w["emails"][role],
                                             "password": factories.PASSWORD})
        if signed.headers.get("Location", "").endswith("/login/code"):
            # Agency accounts: the second factor (factories enrolled them).
            signed = client.post("/login/code",
                                 data={"code": factories.otp(w["emails"][role])})
        assert signed.status_code == 302, f"{role} could not sign in"
    out = {}
    for label, who, method, path in growth_pages(w):
        role = who.removesuffix("-api")
        client = clients[role] if not who.endswith("-api") else app.test_client()
        headers = {"Authorization": f"Bearer {w['tokens'][role]}"} if who.endswith("-api") \
            else {}
        times = []
        for n in range(REQUESTS + 1):
            started = time.perf_counter()
            response = client.open(path, method=method, headers=headers)
            response.get_data()
            if n:  # the first request warms caches
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        out[label] = {"p50_ms": statistics.median(times), "p95_ms": p95(times)}
    return out


def requeue(app, w) -> int:
    """Give every claimed petition but the case view's back to its queue, so claims are
    measured against a full queue however many rows the size holds (10 s of wrk can claim
    more than a thousand, and an empty queue's 204 is not the claim's work)."""
    with app.app_context():
        back = db.session.execute(
            sa.update(Petition).where(Petition.status == Status.IN_REVIEW,
                                      Petition.receipt_number != w["case"])
            .values(status=Status.QUEUED, assigned_officer_id=None, claimed_at=None)
        ).rowcount
        db.session.commit()
    return back


# --- web: wrk, product ÷ bare hello, A/B/A/B ------------------------------------------------

AGENT = {"User-Agent": "portal-bench"}  # Flask-Login ties the session to the agent


def browser_cookie(base: str, email: str) -> str:
    """Sign in through the real form; the session cookie is Secure in production, so it
    is carried by hand over this loopback HTTP (with the same User-Agent as wrk's)."""
    first = requests.get(f"{base}/login", headers=AGENT, timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', first.text).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in first.cookies)
    signed = requests.post(f"{base}/login", data={"csrf_token": token, "email": email,
                                                  "password": factories.PASSWORD},
                           headers={"Cookie": cookie, **AGENT}, allow_redirects=False,
                           timeout=10)
    assert signed.status_code == 302, signed.text[:500]
    cookie = "; ".join(f"{c.name}={c.value}" for c in signed.cookies) or cookie
    if signed.headers.get("Location", "").endswith("/login/code"):
        # Agency accounts: the second factor (factories enrolled them).
        step = requests.get(f"{base}/login/code", headers={"Cookie": cookie, **AGENT},
                            timeout=10)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', step.text).group(1)
        cookie = "; ".join(f"{c.name}={c.value}" for c in step.cookies) or cookie
        signed = requests.post(f"{base}/login/code", data={
            "csrf_token": token, "code": factories.otp(email)},
            headers={"Cookie": cookie, **AGENT}, allow_redirects=False, timeout=10)
        assert signed.status_code == 302, signed.text[:500]
    return "; ".join(f"{c.name}={c.value}" for c in signed.cookies) or cookie


def measure_web(app, w, env) -> dict:
    web = stack.gunicorn("web", "wsgi:app", env, INSTANCE)
    hello = stack.gunicorn("hello", "bench.hello:app", env, INSTANCE)
    try:
        cookies = {role: browser_cookie(web.url, w["emails"][role])
                   for role in ("traveler", "officer")}
        bearer = {role: {"Authorization": f"Bearer {w['tokens'][role]}"}
                  for role in ("traveler", "officer")}
        targets = [
            ("API status", "GET", f"/api/v1/petitions/{w['waiting']}", bearer["traveler"], 0.5),
            ("traveler status page", "GET", f"/my/petitions/{w['waiting']}",
             {"Cookie": cookies["traveler"], **AGENT}, 0.3),
            ("officer queue page", "GET", f"/officer/queues/{QUEUE}",
             {"Cookie": cookies["officer"], **AGENT}, 0.3),
            ("case view", "GET", f"/officer/cases/{w['case']}",
             {"Cookie": cookies["officer"], **AGENT}, 0.2),
            ("claim-next", "POST", f"/api/v1/queues/{QUEUE}/claim", bearer["officer"], None),
        ]
        claims = targets[-1][2]
        out = {}
        for label, method, path, headers, target in targets:
            check = requests.request(method, web.url + path, headers=headers,
                                     allow_redirects=False, timeout=30)
            assert check.status_code == 200, (label, check.status_code, check.text[:300])
            size = len(check.content)
            app_rps, hello_rps = [], []
            for _round in range(2):  # A/B/A/B
                hello_rps.append(stack.wrk(hello.url + "/", WRK_SECONDS, headers, method,
                                           INSTANCE))
                if path == claims:
                    requeue(app, w)
                app_rps.append(stack.wrk(web.url + path, WRK_SECONDS, headers, method,
                                         INSTANCE, min_body=size * 0.8))
            out[label] = {"rps": statistics.median(app_rps),
                          "hello_rps": statistics.median(hello_rps), "target": target,
                          "ratio": statistics.median(app_rps) / statistics.median(hello_rps)}
            log(f"web {label}: {out[label]['rps']:.0f} vs {out[label]['hello_rps']:.0f} rps")
        out["_rss_mb"] = stack.peak_rss_mb(stack.master_pid(web))
        return out
    finally:
        web.stop()
        hello.stop()


# --- Celery: routing ÷ no-op ---------------------------------------------------------------

def _event_times(action, receipts):
    return dict(db.session.execute(
        sa.select(Petition.receipt_number, sa.func.max(Event.at))
        .join(Event, Event.petition_id == Petition.id)
        .where(Event.action == action, Petition.receipt_number.in_(receipts))
        .group_by(Petition.receipt_number)).all())


def _route_published(receipts):
    """When each petition's routing message was recorded as published (the outbox)."""
    rows = db.session.execute(sa.select(Petition.receipt_number, Petition.id).where(
        Petition.receipt_number.in_(receipts))).all()
    by_id = {pid: receipt for receipt, pid in rows}
    out = {}
    for args, at in db.session.execute(sa.select(OutboxMessage.args, OutboxMessage.published_at)
                                       .where(OutboxMessage.task_name == routing.ROUTE_TASK)):
        if args and args[0] in by_id and at is not None:
            out[by_id[args[0]]] = at
    return out


def measure_celery(app, w, env, broker_url) -> dict:
    with app.app_context():
        traveler = db.session.scalars(sa.select(User).where(
            User.email == w["emails"]["traveler"])).one()
        backlog = [factories.submitted(traveler).receipt_number for _ in range(ROUTED)]
        drafts = []
        for _ in range(ROUND_TRIPS):
            draft = factories.draft(traveler)
            for required in draft.category.required_documents:
                if required.required:
                    factories.upload(traveler, draft, required.kind)
            drafts.append(draft.receipt_number)
    web = stack.gunicorn("web-celery", "wsgi:app", env, INSTANCE)
    worker = stack.celery_worker("routing-us", "workers", "routing.US", env, INSTANCE)
    try:
        with app.app_context():
            stack.wait_for(lambda: len(_event_times("route", backlog)) == ROUTED, 300,
                           "the routing backlog")
            stamps = sorted(_event_times("route", backlog).values())
        routing_rate = (ROUTED - 1) / (stamps[-1] - stamps[0]).total_seconds()
        headers = {"Authorization": f"Bearer {w['tokens']['traveler']}"}
        client_ms = []
        for receipt in drafts:
            started = time.perf_counter()
            answer = requests.post(f"{web.url}/api/v1/petitions/{receipt}/submit",
                                   headers=headers, timeout=30)
            assert answer.status_code == 200, answer.text[:300]
            stack.wait_for(lambda r=receipt: requests.get(
                f"{web.url}/api/v1/petitions/{r}", headers=headers, timeout=30
            ).json()["status"] == "queued", 30, "queued", interval=0.002)
            client_ms.append((time.perf_counter() - started) * 1000)
        with app.app_context():
            submitted, routed = _event_times("submit", drafts), _event_times("route", drafts)
            published = _route_published(drafts)
        server_ms = [(routed[r] - submitted[r]).total_seconds() * 1000 for r in drafts]
        # Where the server's time goes: the submitting request until its routing message
        # was published (recorded just after), then the worker until the route event.
        split = {"submit→published p50 ms": statistics.median(
                     (published[r] - submitted[r]).total_seconds() * 1000 for r in drafts),
                 "published→routed p50 ms": statistics.median(
                     (routed[r] - published[r]).total_seconds() * 1000 for r in drafts)}
        log("celery: " + ", ".join(f"{k} {v:.1f}" for k, v in split.items()))
        rss = stack.peak_rss_mb(stack.master_pid(worker))
    finally:
        worker.stop()
        web.stop()
    noop_env = dict(env, CELERY_BROKER_URL=broker_url)
    os.environ["CELERY_BROKER_URL"] = broker_url
    from bench import noop  # noqa: PLC0415 - reads CELERY_BROKER_URL, set just above
    noop.stamps().delete(noop.STAMPS)
    for _ in range(ROUTED):
        noop.stamp.delay()
    bare = stack.celery_worker("noop", "bench.noop", noop.QUEUE, noop_env, INSTANCE)
    try:
        stack.wait_for(lambda: noop.stamps().llen(noop.STAMPS) >= ROUTED, 120, "no-op stamps")
        times = sorted(float(t) for t in noop.stamps().lrange(noop.STAMPS, 0, -1))
        noop_rate = (ROUTED - 1) / (times[-1] - times[0])
        noop_ms = []
        for _ in range(ROUND_TRIPS + 1):
            started = time.perf_counter()
            noop.noop.delay().get(timeout=30)
            noop_ms.append((time.perf_counter() - started) * 1000)
        noop_ms = noop_ms[1:]
    finally:
        bare.stop()
    return {"routing_per_s": routing_rate, "noop_per_s": noop_rate,
            "server_ms": server_ms, "client_ms": client_ms, "noop_ms": noop_ms, "rss_mb": rss,
            "split": split}


# --- claims: N officers through the domain ÷ bare SKIP LOCKED -------------------------------

def _for_seconds(seconds, work):
    done, stop = [], time.monotonic() + seconds

    def run(i):
        n = 0
        while time.monotonic() < stop and work(i):
            n += 1
        done.append(n)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def measure_claims(app, url, w) -> dict:
    requeue(app, w)
    with app.app_context():
        officer_ids = [factories.user("officer", country="US").id for _ in range(THREADS)]
        queue_id = db.session.scalar(sa.text("SELECT id FROM queues WHERE code = :c"),
                                     {"c": QUEUE})

    def domain(i):
        with app.app_context():
            officer = db.session.get(User, officer_ids[i])
            return adjudication.claim_next(officer, QUEUE) is not None
    app_rate = _for_seconds(3, domain)
    if not url.startswith("postgresql"):
        return {"app_per_s": app_rate, "bare_per_s": None}
    engine = sa.create_engine(url, pool_size=THREADS)
    bare_sql = sa.text("""
        UPDATE petitions SET status = 'in_review', assigned_officer_id = :officer,
                             claimed_at = now(), version = version + 1
        WHERE id = (SELECT id FROM petitions WHERE queue_id = :queue AND status = 'queued'
                    ORDER BY priority DESC, due_date, submitted_at, id
                    LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id""")

    def bare(i):
        with engine.begin() as conn:
            return conn.execute(bare_sql, {"officer": officer_ids[i], "queue": queue_id}
                                ).first() is not None
    requeue(app, w)
    bare_rate = _for_seconds(3, bare)
    engine.dispose()
    return {"app_per_s": app_rate, "bare_per_s": bare_rate}


# --- the table -----------------------------------------------------------------------------

def table(results) -> list[dict]:
    rows = []

    def add(figure, value, ceiling, ratio, target, better="higher", unit=""):
        met = None if ratio is None or target is None else (
            ratio >= target if better == "higher" else ratio <= target)
        rows.append({"figure": figure, "value": value, "ceiling": ceiling, "ratio": ratio,
                     "target": target, "better": better, "unit": unit, "met": met})
    web, c, k = results.get("web"), results.get("celery"), results.get("claims")
    for label, r in (web or {}).items():
        if not label.startswith("_"):
            add(f"web: {label}", r["rps"], r["hello_rps"], r["ratio"], r["target"],
                unit="req/s")
    if c:
        noop50 = statistics.median(c["noop_ms"])
        add("submit→queued p50 (server)", statistics.median(c["server_ms"]), noop50,
            statistics.median(c["server_ms"]) / noop50, 2, "lower", "ms")
        add("submit→queued p95 (server)", p95(c["server_ms"]), p95(c["noop_ms"]),
            p95(c["server_ms"]) / p95(c["noop_ms"]), None, "lower", "ms")
        add("submit→queued p50 (client polling)", statistics.median(c["client_ms"]), noop50,
            statistics.median(c["client_ms"]) / noop50, 5, "lower", "ms")
        add("routing throughput, 1 worker", c["routing_per_s"], c["noop_per_s"],
            c["routing_per_s"] / c["noop_per_s"], 0.5, unit="tasks/s")
    if k:
        add(f"claims by {THREADS} officers", k["app_per_s"], k["bare_per_s"],
            k["app_per_s"] / k["bare_per_s"] if k["bare_per_s"] else None, 0.3,
            unit="claims/s")
    if results["growth"]:
        base = results["growth"][str(SIZES[0])]
        for size in SIZES[1:]:
            for label, r in results["growth"][str(size)].items():
                add(f"p95 at {size:,}: {label}", r["p95_ms"], base[label]["p95_ms"],
                    r["p95_ms"] / base[label]["p95_ms"], 1.2, "lower", "ms")
    if web:
        add("peak RSS, web worker", web["_rss_mb"], None, None, None, unit="MB")
    if c:
        add("peak RSS, Celery worker", c["rss_mb"], None, None, None, unit="MB")
    return rows


def print_table(rows):
    print(f"{'figure':<44} {'value':>10} {'ceiling':>10} {'ratio':>7} {'target':>8}  met")
    for r in rows:
        def num(v):
            return f"{v:>10.1f}" if isinstance(v, (int, float)) else f"{'-':>10}"
        target = "" if r["target"] is None else \
            ("≥" if r["better"] == "higher" else "≤") + f"{r['target']}×"
        ratio = f"{r['ratio']:>6.3f}×" if r["ratio"] is not None else f"{'-':>7}"
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        print(f"{r['figure']:<44} {num(r['value'])} {num(r['ceiling'])} {ratio} "
              f"{target:>8}  {met}")


def main():
    url = safety.database_url()
    broker_url, stop_broker = stack.broker(INSTANCE)
    results = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
               "database": url.split(":")[0], "sizes": SIZES, "growth": {}}
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                          "CELERY_BROKER_URL": broker_url,
                          "UPLOAD_DIR": str(INSTANCE / "uploads")})
        with app.app_context():
            fresh_database()
            w = seed()
        # The growth rows are served by this process: freeze its start-up objects as a
        # served worker does (gunicorn.conf.py, post_worker_init), else a full garbage
        # collection's 170-340 ms lands in one request of whichever page runs then.
        gc.collect()
        gc.freeze()
        env = stack.production_env(url, broker_url, INSTANCE, app.config["PII_ENCRYPTION_KEYS"])
        for size in SIZES:
            with app.app_context():
                started = time.perf_counter()
                added = loader.grow(w["template"], size)
                log(f"loaded {added:,} petitions in {time.perf_counter() - started:.1f} s "
                    f"(now {loader.count():,})")
            if "growth" in ONLY:
                results["growth"][str(size)] = measure_pages(app, w)
                log(f"pages at {size:,}: " + ", ".join(
                    f"{k} {v['p95_ms']:.1f}" for k, v in results["growth"][str(size)].items()))
            if size == SIZES[min(1, len(SIZES) - 1)]:  # the other figures at 100k
                if "web" in ONLY:
                    results["web"] = measure_web(app, w, env)
                if "celery" in ONLY:
                    results["celery"] = measure_celery(app, w, env, broker_url)
                    log(f"celery: {results['celery']['routing_per_s']:.0f} routings/s")
                if "claims" in ONLY:
                    results["claims"] = measure_claims(app, url, w)
                    log(f"claims: {results['claims']}")
        rows = table(results)
    finally:
        stop_broker()
    print_table(rows)
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    stem.with_suffix(".json").write_text(json.dumps({**results, "table": rows}, indent=1,
                                                    default=str))
    stem.with_suffix(".svg").write_text(chart.svg(rows))
    print(f"written: {stem}.json, {stem}.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
