"""Backup and restore of the database and UPLOAD_DIR together, as docs/operations.md says:
`flask --app wsgi backup create`, then `backup restore` into an empty database and an
empty upload folder, finds every petition and every document with its file unchanged."""
import hashlib
import os
import subprocess
from pathlib import Path

import sqlalchemy as sa

from tests import factories
from tests.live import BIN, ROOT
from traveler_portal.extensions import db
from traveler_portal.models import Document, Petition


def flask(env, *args):
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def empty_database(database_url: str, test_dirs: Path) -> str:
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{test_dirs / 'restored.sqlite3'}"
    name = f"{url.database}_restored"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def snapshot(engine, uploads: Path) -> tuple[set, dict]:
    with engine.connect() as conn:
        receipts = set(conn.scalars(sa.select(Petition.receipt_number)))
        documents = {row.stored_name: row.sha256 for row in
                     conn.execute(sa.select(Document.stored_name, Document.sha256))}
    files = {name: hashlib.sha256((uploads / name).read_bytes()).hexdigest()
             for name in documents}
    return receipts, files


def test_backup_and_restore_bring_back_every_petition_and_document(app, database_url,
                                                                   test_dirs):
    with app.app_context():
        traveler = factories.user("traveler")
        for i in range(3):
            factories.submitted(traveler, days_ahead=20 + i)
        draft = factories.draft(traveler)
        factories.upload(traveler, draft, "passport")  # a real PDF: the upload checks it
    uploads = Path(app.config["UPLOAD_DIR"])
    env = {**os.environ, "PORTAL_ENV": "development", "SECRET_KEY": "backup-test",
           "INSTANCE_PATH": str(test_dirs / "backup-instance"),
           "PII_ENCRYPTION_KEYS": ",".join(app.config["PII_ENCRYPTION_KEYS"]),
           "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
    saved = test_dirs / "backup-1"
    out = flask({**env, "DATABASE_URL": database_url, "UPLOAD_DIR": str(uploads)},
                "backup", "create", str(saved))
    assert "backed up" in out

    restored_url, restored_uploads = empty_database(database_url, test_dirs), \
        test_dirs / "restored-uploads"
    out = flask({**env, "DATABASE_URL": restored_url, "UPLOAD_DIR": str(restored_uploads)},
                "backup", "restore", str(saved))
    assert "every file present and unchanged" in out

    with app.app_context():
        receipts, files = snapshot(db.engine, uploads)
    assert len(receipts) == 4 and len(files) >= 4
    from config import _normalise_db_url  # noqa: PLC0415
    engine = sa.create_engine(_normalise_db_url(restored_url))
    try:
        assert snapshot(engine, restored_uploads) == (receipts, files)
    finally:
        engine.dispose()
