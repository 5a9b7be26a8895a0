"""Rotating the PII encryption key the documented way, with real web servers holding
different key lists: old only → NEW,OLD everywhere → rotate → NEW only still reads; the
command refuses while a running process lacks the new key; a process left with only the
old key after the rotation answers a clear 503 page, not a 500."""
import json
import subprocess
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from cryptography.fernet import Fernet

from tests import factories
from tests.integration.web_helpers import Web
from tests.live import BIN, ROOT, Process, free_port, stop_together, wait_for
from traveler_portal import embedded_broker
from traveler_portal.domain import profiles
from traveler_portal.extensions import db
from traveler_portal.keyring import PREFIX
from traveler_portal.models import User
from traveler_portal.models.crypto import fingerprint
from traveler_portal.models.users import utcnow


@pytest.fixture
def own_broker():
    """A Redis of this test's own: no other test's processes announce keys in it."""
    folder = Path(tempfile.mkdtemp(prefix="portal-keys-"))
    server = embedded_broker.start(folder / "redis.sock", folder / "redis")
    yield f"redis+socket://{folder / 'redis.sock'}", redis.Redis(
        unix_socket_path=str(folder / "redis.sock"))
    server.terminate()
    server.wait(10)


def _env(live_env, broker, keys) -> dict:
    env = dict(live_env)
    # Production's announcement lifetime (PII_KEYRING_TTL_SECONDS, 5 minutes): a running
    # process is still seen however long a `flask` command takes to start, and the test
    # never waits for one to expire (a process stopped cleanly withdraws its own).
    env.update(CELERY_BROKER_URL=broker, PII_ENCRYPTION_KEYS=",".join(keys))
    return env


def _ciphertext(app, email) -> str:
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
        return db.session.execute(sa.text(
            "SELECT passport_number FROM traveler_profiles WHERE user_id = :id"),
            {"id": user_id}).scalar()


def test_the_documented_rotation_is_safe_end_to_end(app, live_env, own_broker, test_dirs,
                                                   monkeypatch):
    broker, client = own_broker
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with app.app_context():
        monkeypatch.setitem(app.config, "PII_ENCRYPTION_KEYS", [old])
        user = factories.user("traveler")
        email = user.email
        profiles.save(user, profiles.ProfileInput(
            given_names="Ana", family_name="Silva", date_of_birth=date(1990, 1, 2),
            citizenships=["US"], passport_number="X9874321", passport_country="US",
            passport_expiry=utcnow().date() + timedelta(days=400), residence_country="US"))
    monkeypatch.undo()
    servers = []

    def web(*keys):
        port = free_port()
        server = Process(f"keys-web-{len(servers)}", [
            str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "wsgi:app"], _env(live_env, broker, keys), test_dirs)
        servers.append(server)
        server.url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(server), 60, "gunicorn to start")
        return server

    def profile_page(server):
        return Web(server.url, email, factories.PASSWORD).get("/my/profile")

    def rotate(*keys):
        return subprocess.run([str(BIN / "flask"), "--app", "wsgi", "rotate-pii-keys"],
                              cwd=ROOT, env=_env(live_env, broker, keys),
                              capture_output=True, text=True, timeout=120, check=False)

    try:
        # 1. Every process holds only the old key.
        web_old = web(old)
        page = profile_page(web_old)
        assert page.status_code == 200 and "4321" in page.text

        # The command refuses a single key, and a rotation a running process could not
        # follow; nothing is rewritten.
        before = _ciphertext(app, email)
        alone = rotate(new)
        assert alone.returncode == 2 and "NEW,OLD" in alone.stderr, alone.stderr
        assert profile_page(web_old).status_code == 200  # announces its keys again
        early = rotate(new, old)
        assert early.returncode == 2, early.stdout + early.stderr
        assert "do not hold the new key" in early.stderr and fingerprint(old) in early.stderr
        assert _ciphertext(app, email) == before

        # 2. NEW,OLD deployed everywhere (the old-only process stopped): it still reads.
        # A process stopped cleanly withdraws its announcement as it exits: the operator
        # need not wait for it to expire before rotating.
        web_old.stop()
        assert _lacking(client, fingerprint(new)) == []
        web_both = web(new, old)
        assert profile_page(web_both).status_code == 200

        # 3. Rotate: every value now opens with the new key alone.
        done = rotate(new, old)
        assert done.returncode == 0, done.stderr
        assert "re-encrypted 2 values" in done.stdout
        assert Fernet(new).decrypt(_ciphertext(app, email).encode()) == b"X9874321"
        assert "4321" in profile_page(web_both).text

        # 4. NEW only: still reads.
        web_new = web(new)
        page = profile_page(web_new)
        assert page.status_code == 200 and "4321" in page.text

        # 5. A process forgotten with the old key: a clear error, not a 500.
        stale = profile_page(web(old))
        assert stale.status_code == 503, stale.status_code
        assert "encrypted with a key this server does not have" in stale.text
        assert "went wrong" not in stale.text
    finally:
        stop_together(servers)


def _answers(server) -> bool:
    import requests  # noqa: PLC0415
    assert server.alive(), server.output()[-3000:]
    try:
        return requests.get(server.url + "/login", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _lacking(client, new_print) -> list:
    values = [client.get(name) for name in client.scan_iter(match=PREFIX + "*")]
    return [v for v in values if v and new_print not in json.loads(v)["keys"]]
