"""The processes a benchmark measures, started as in production: a broker, gunicorn with
the production settings (the product, or the bare hello under the identical command),
Celery workers; and the load generator, wrk."""
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import requests

from tests.live import BIN, ROOT, Process, free_port, wait_for
from traveler_portal import embedded_broker

__all__ = ["Process", "free_port", "wait_for", "ROOT"]


def broker(instance: Path):
    """BENCH_BROKER_URL, or an embedded redis-server of the run's own (returns url, stop)."""
    if os.environ.get("BENCH_BROKER_URL"):
        return os.environ["BENCH_BROKER_URL"], lambda: None
    socket_path = instance / "redis.sock"
    server = embedded_broker.start(socket_path, instance / "redis")
    return f"redis+socket://{socket_path}", lambda: (server.terminate(), server.wait(10))


def production_env(database_url: str, broker_url: str, instance: Path, pii_keys) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "BENCH_"))}
    env.update({"PORTAL_ENV": "production", "DATABASE_URL": database_url,
                "CELERY_BROKER_URL": broker_url, "SECRET_KEY": secrets.token_hex(32),
                "PII_ENCRYPTION_KEYS": ",".join(pii_keys),
                "UPLOAD_DIR": str(instance / "uploads"), "INSTANCE_PATH": str(instance),
                "SIGNIN_LIMIT_PER_ACCOUNT": "1000/minute",
                "PATH": f"{BIN}:{os.environ.get('PATH', '')}"})
    return env


def gunicorn(name: str, app: str, env: dict, logdir: Path):
    """``gunicorn -w 2 --threads 4`` (the Procfile's command) serving ``app``."""
    port = free_port()
    server = Process(name, [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                            "--workers", "2", "--threads", "4", app], env, logdir)
    url = f"http://127.0.0.1:{port}"

    def up():
        assert server.alive(), server.output()
        try:
            return requests.get(url + "/", timeout=5).status_code < 500
        except requests.RequestException:
            return False
    wait_for(up, 60, f"{name} to answer")
    server.url = url
    return server


def celery_worker(name: str, app: str, queue: str, env: dict, logdir: Path):
    worker = Process(name, [str(BIN / "celery"), "-A", app, "worker", "--loglevel=info",
                            "-Q", queue, "--concurrency=1", f"--hostname={name}@%h"],
                     env, logdir)
    wait_for(lambda: " ready." in worker.output() or not worker.alive(), 60, f"{name} ready")
    assert worker.alive(), worker.output()
    return worker


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    return found


def wrk(url: str, seconds: float, headers: dict, method: str = "GET",
        logdir: Path | None = None, min_body: float = 0) -> float:
    """Requests per second answered (2 threads, 8 connections). Errors are refused, and so
    is an average answer smaller than ``min_body`` bytes (a redirect to the sign-in page
    counts as a success for wrk), so nothing passes for speed by not doing the work."""
    args = [wrk_binary(), "-t2", "-c8", f"-d{max(1, round(seconds))}s"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    if method != "GET":
        script = (logdir or Path("/tmp")) / f"wrk-{method.lower()}.lua"
        script.write_text(f'wrk.method = "{method}"\n')
        args += ["-s", str(script)]
    out = subprocess.run(args + [url], capture_output=True, text=True, timeout=seconds + 60,
                         check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise SystemExit(f"{url}: {bad.group(1)} error answers under load\n{out}")
    done = re.search(r"(\d+) requests in [0-9.]+\w+, ([0-9.]+)(B|KB|MB|GB) read", out)
    read = float(done.group(2)) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[done.group(3)]
    if read / int(done.group(1)) < min_body:
        raise SystemExit(f"{url}: answers of {read / int(done.group(1)):.0f} bytes on average, "
                         f"the page has {min_body / 0.8:.0f}: not the page\n{out}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def peak_rss_mb(parent_pid: int) -> float:
    """The largest peak resident set (VmHWM) among ``parent_pid``'s children: gunicorn's
    and Celery's pool processes, where the requests and tasks run."""
    peaks = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != parent_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peaks.append(int(found.group(1)) / 1024)
    return max(peaks, default=0.0)


def master_pid(process: Process) -> int:
    """gunicorn/celery run as the Process's own child (start_new_session; no shell)."""
    return process.popen.pid
