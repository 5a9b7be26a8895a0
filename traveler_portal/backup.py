"""``flask --app wsgi backup create DIR`` and ``flask --app wsgi backup restore DIR``: the
database and ``UPLOAD_DIR`` saved together, and restored together into empty ones.

The database is saved first, then the files: a document's file is written before its row
is committed, so every row in the dump has its file in the archive (a file without a row
is harmless). PostgreSQL goes through ``pg_dump``/``pg_restore`` (custom format); SQLite
through its online backup API (a consistent copy while the app runs). ``restore`` refuses
a database or upload folder that is not empty, then checks that every document and
notice in the restored database has its file, with the recorded SHA-256.
"""
import hashlib
import json
import shutil
import sqlite3

# Bandit B404 (subprocess): pg_dump and pg_restore, with argument lists, never a shell.
import subprocess  # nosec B404
import tarfile
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from . import health
from .extensions import db
from .models import Document, Notice, Petition
from .models.users import utcnow

backup_cli = AppGroup("backup", help="Back up or restore the database and UPLOAD_DIR together.")
DUMP, SQLITE_COPY, FILES, MANIFEST = "database.dump", "database.sqlite3", "uploads.tar.gz", \
    "manifest.json"


def _url() -> sa.engine.URL:
    return sa.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url: sa.engine.URL) -> str:
    """pg_dump's spelling of the URL (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _counts() -> dict:
    return {"petitions": db.session.scalar(sa.select(sa.func.count()).select_from(Petition)),
            "documents": db.session.scalar(sa.select(sa.func.count()).select_from(Document)),
            "notices": db.session.scalar(sa.select(sa.func.count()).select_from(Notice))}


@backup_cli.command("create")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
def create(destination: Path):
    """Save the database, then UPLOAD_DIR, into DESTINATION (a new folder)."""
    destination.mkdir(parents=True, exist_ok=False)
    url = _url()
    counts = _counts()
    db.session.rollback()
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as source, \
                sqlite3.connect(destination / SQLITE_COPY) as target:
            source.backup(target)
    else:
        # Bandit B603/B607: PostgreSQL's own tools from PATH, arguments as a list; the only
        # input is the configured DATABASE_URL.
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                   "--file", str(destination / DUMP), _libpq(url)]
        subprocess.run(command, check=True)  # nosec B603 B607
    with tarfile.open(destination / FILES, "w:gz") as archive:
        archive.add(current_app.config["UPLOAD_DIR"], arcname="uploads")
    (destination / MANIFEST).write_text(json.dumps(
        {"created_at": utcnow().isoformat(), "revision": health.migration_head(), **counts},
        indent=2))
    click.echo(f"backed up {counts['petitions']} petitions, {counts['documents']} documents, "
               f"{counts['notices']} notices to {destination}")


def _empty_database() -> bool:
    return not sa.inspect(db.engine).get_table_names()


@backup_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(source: Path):
    """Restore SOURCE into the configured (empty) database and (empty) UPLOAD_DIR, then
    check every document's file."""
    url, uploads = _url(), Path(current_app.config["UPLOAD_DIR"])
    if not _empty_database() or (uploads.exists() and any(uploads.iterdir())):
        raise click.ClickException("restore needs an empty database and an empty UPLOAD_DIR")
    db.session.remove()
    db.engine.dispose()
    if (source / SQLITE_COPY).exists():
        with sqlite3.connect(source / SQLITE_COPY) as backup, \
                sqlite3.connect(url.database) as target:
            backup.backup(target)
    else:
        # Bandit B603/B607: PostgreSQL's own tools from PATH, arguments as a list; the only
        # input is the configured DATABASE_URL.
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                   "--dbname", _libpq(url), str(source / DUMP)]
        subprocess.run(command, check=True)  # nosec B603 B607
    uploads.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / FILES) as archive:
        staging = uploads.parent / f".restore-{uploads.name}"
        archive.extractall(staging, filter="data")
        for item in (staging / "uploads").iterdir():
            shutil.move(str(item), uploads / item.name)
        shutil.rmtree(staging)
    missing = verify(uploads)
    counts = _counts()
    if missing:
        raise click.ClickException(f"{len(missing)} file(s) missing or changed: "
                                   + ", ".join(missing[:10]))
    click.echo(f"restored {counts['petitions']} petitions, {counts['documents']} documents, "
               f"{counts['notices']} notices; every file present and unchanged")


def verify(uploads: Path) -> list[str]:
    """Stored names of documents and notices whose file is missing or differs."""
    wrong = []
    rows = [(d.stored_name, d.sha256, uploads / d.stored_name)
            for d in db.session.scalars(sa.select(Document))]
    rows += [(n.stored_name, n.sha256, uploads / "notices" / n.stored_name)
             for n in db.session.scalars(sa.select(Notice))]
    for name, sha256, path in rows:
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
            wrong.append(name)
    return wrong
