"""Bulk import of employees from a CSV file: every accepted row becomes a traveler
invitation into the organization.

``start`` checks the whole file before anything is stored: at most ``IMPORT_MAX_BYTES``
(5 MB by default), text (no NUL byte), UTF-8 (a BOM is fine), a header row naming at least
``email`` and ``name`` (any order, any case; other columns are ignored), at least one data
row. A refused file raises ``ValidationFailed`` with the reason and nothing is kept. The
file is stored under a generated name in ``UPLOAD_DIR/imports/`` with its sha256, and the
``employers.import_employees`` task is queued through the outbox.

``run`` (the task) validates row by row: an email address (``email-validator`` syntax), a
name, and the email not seen earlier in the file; a bad row is rejected with its reason
(kept for the report) and never stops the import. A person already linked to the
organization, or with an open traveler invitation from it, counts as a *duplicate*: not an
error, nothing created. Rows are handled ``IMPORT_BATCH_SIZE`` at a time, each batch in one
transaction with its invitations and the new ``processed_rows``, so the progress is visible
and a row is either fully created or not at all. A rerun (a redelivered task) resumes after
the last committed batch. Importing the same file again (same sha256 for the organization)
returns the earlier import; a different file with the same emails counts them as
duplicates: nothing is created twice.

Invitation emails: each new invitation is queued for ``organizations.send_invitation``
when ``IMPORT_SEND_INVITATIONS`` is on (the default; the live tests turn it off so a
5,000-row import does not flood the test mail server).
"""
import csv
import hashlib
import io
import secrets
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from .. import tasks
from ..extensions import db
from ..models import EmployeeImport, Invitation, Role, User
from ..models.users import utcnow
from . import invitations, organizations, outbox, security_notices, uow
from .errors import ValidationFailed
from .rows import one_or_not_found

TASK, QUEUE = tasks.IMPORT_EMPLOYEES.name, tasks.IMPORT_EMPLOYEES.queue
REQUIRED = ("email", "name")
DONE = ("finished", "failed")


def _refuse(message: str):
    raise ValidationFailed(message, {"file": message})


def _parse(data: bytes) -> tuple[list[str], list[list[str]]]:
    """(normalised header, data rows) of a file, or ``ValidationFailed`` saying why not."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(data) > limit:
        _refuse(_("The file is larger than %(mb)s MB: split it into smaller files.",
                  mb=format_decimal(limit / 1024 / 1024, "#,##0.0")))
    if not data.strip():
        _refuse(_("The file is empty."))
    if b"\x00" in data:
        _refuse(_("This is not a CSV text file (it contains binary data). Save the "
                  "spreadsheet as “CSV UTF-8” and upload that."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _refuse(_("The file is not encoded in UTF-8 (first bad byte at position "
                  "%(pos)s). Save the spreadsheet as “CSV UTF-8” and upload it again.",
                  pos=exc.start))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        _refuse(_("The file is not valid CSV: %(error)s", error=str(exc)))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        _refuse(_("The first row must be a header naming the columns email and name "
                  "(missing: %(cols)s).", cols=", ".join(missing)))
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    if not body:
        _refuse(_("The file has a header but no rows of employees."))
    return header, body


def _path(stored_name: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "imports" / stored_name


@uow.atomic
def start(actor: User, filename: str, data: bytes) -> tuple[EmployeeImport, bool]:
    """(the import, True) for a new file; (the earlier import, False) for a file this
    organization already imported."""
    organizations.require_org_admin(actor)
    _header, body = _parse(data)
    digest = hashlib.sha256(data).hexdigest()
    earlier = db.session.scalars(sa.select(EmployeeImport).where(
        EmployeeImport.organization_id == actor.organization_id,
        EmployeeImport.sha256 == digest, EmployeeImport.state != "failed")
        .order_by(EmployeeImport.id)).first()
    if earlier is not None:
        return earlier, False
    _check_daily_cap(actor.organization_id)
    stored_name = f"{uuid.uuid4().hex}.csv"
    path = _path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    job = EmployeeImport(organization_id=actor.organization_id, created_by_id=actor.id,
                         filename=(Path(filename or "employees.csv").name or "employees.csv")[:255],
                         stored_name=stored_name, sha256=digest, state="queued",
                         total_rows=len(body), rejections=[], created_at=utcnow())
    uow.on_rollback(lambda: path.unlink(missing_ok=True))
    db.session.add(job)
    db.session.flush()
    outbox.enqueue(TASK, [job.id], QUEUE)
    return job, True


def _check_daily_cap(org_id: str) -> None:
    """At most IMPORTS_PER_ORG_PER_DAY imports a day per organization (each may invite
    thousands: no mass mailing through the portal)."""
    cap = current_app.config["IMPORTS_PER_ORG_PER_DAY"]
    started = db.session.scalar(sa.select(sa.func.count()).select_from(EmployeeImport).where(
        EmployeeImport.organization_id == org_id,
        EmployeeImport.created_at > utcnow() - timedelta(days=1)))
    if started >= cap:
        raise invitations.DailyCapReached(_(
            "Your organization has started %(count)d imports in the last 24 hours, the most "
            "allowed. Try again tomorrow.", count=cap))


def get(actor: User, import_id: int) -> EmployeeImport:
    organizations.require_member(actor)
    return one_or_not_found(sa.select(EmployeeImport).where(
        EmployeeImport.id == import_id,
        EmployeeImport.organization_id == actor.organization_id), _("No such import."))


def recent(actor: User, limit: int = 20) -> list[EmployeeImport]:
    organizations.require_member(actor)
    return db.session.scalars(sa.select(EmployeeImport).where(
        EmployeeImport.organization_id == actor.organization_id)
        .order_by(EmployeeImport.id.desc()).limit(limit)).all()


def progress(job: EmployeeImport) -> dict:
    total = job.total_rows or 0
    return {"id": job.id, "state": job.state, "total_rows": total,
            "processed_rows": job.processed_rows, "accepted_rows": job.accepted_rows,
            "duplicate_rows": job.duplicate_rows, "rejected_rows": job.rejected_rows,
            "percent": int(100 * job.processed_rows / total) if total else 0,
            "done": job.state in DONE, "error": job.error}


# --- The task -------------------------------------------------------------------------

def _checked_rows(header: list[str], body: list[list[str]]):
    """(row number in the file, email, name, reason or None) for each data row; the
    header is row 1."""
    at = {name: header.index(name) for name in REQUIRED}
    first_seen = {}
    for number, cells in enumerate(body, start=2):
        raw = cells[at["email"]].strip() if len(cells) > at["email"] else ""
        name = cells[at["name"]].strip() if len(cells) > at["name"] else ""
        try:
            email = validate_email(raw, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            yield number, raw, name, _("The email address is not valid.") if raw else \
                _("The email address is missing.")
            continue
        if not name:
            yield number, email, name, _("The name is missing.")
        elif len(name) > 200:
            yield number, email, name, _("The name is longer than 200 characters.")
        elif email in first_seen:
            yield number, email, name, _("The same email is on row %(row)s of the file.",
                                         row=first_seen[email])
        else:
            first_seen[email] = number
            yield number, email, name, None


def _existing(org_id: str, emails: list[str]) -> tuple[set, set]:
    """(emails already linked or invited, emails of accounts that are not travelers)."""
    users = db.session.execute(sa.select(User.email, User.role, User.organization_id)
                               .where(User.email.in_(emails))).all()
    invited = db.session.scalars(sa.select(Invitation.email).where(
        Invitation.organization_id == org_id, Invitation.kind == "traveler",
        Invitation.email.in_(emails), Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())).all()
    linked = {e for e, role, org in users if role == Role.TRAVELER and org == org_id}
    others = {e for e, role, _org in users if role != Role.TRAVELER}
    return linked | set(invited), others


@uow.atomic
def _apply_batch(job_id: int, batch: list, position: int) -> bool:
    """One batch in one transaction; False when another run already did it."""
    job = db.session.scalars(sa.select(EmployeeImport).where(EmployeeImport.id == job_id)
                             .with_for_update()).one()
    if job.processed_rows != position:
        return False
    duplicates, not_travelers = _existing(job.organization_id,
                                          [email for _n, email, _name, why in batch if not why])
    now, ttl = utcnow(), timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])
    created, rejections = [], []
    for number, email, name, why in batch:
        # An address whose account is not a traveler's is handled like any other row (no
        # listing of accounts through imports): its owner gets a notice, not the link.
        if why:
            rejections.append({"row": number, "email": email, "reason": why})
        elif email in duplicates:
            job.duplicate_rows += 1
        else:
            created.append(Invitation(
                organization_id=job.organization_id, kind="traveler", email=email,
                name=name, token_hash="pending:" + secrets.token_hex(28),
                created_by_id=job.created_by_id, import_id=job.id, created_at=now,
                expires_at=now + ttl))
    db.session.add_all(created)
    db.session.flush()  # ids: each token names its invitation
    send = current_app.config["IMPORT_SEND_INVITATIONS"]
    owners = dict(db.session.execute(sa.select(User.email, User.id).where(
        User.email.in_(not_travelers))).all()) if not_travelers else {}
    for invitation in created:
        invitation.token_hash = invitations._digest(invitations.token_for(invitation))
        if not send:
            continue
        if invitation.email in owners:
            security_notices.enqueue(owners[invitation.email], "invitation")
        else:
            outbox.enqueue(invitations.SEND_TASK, [invitation.id], invitations.QUEUE)
    job.accepted_rows += len(created)
    job.rejected_rows += len(rejections)
    job.rejections = [*(job.rejections or []), *rejections]
    job.processed_rows = position + len(batch)
    return True


@uow.atomic
def _fail(job_id: int, message: str) -> None:
    job = db.session.get(EmployeeImport, job_id)
    job.state, job.error, job.finished_at = "failed", message, utcnow()


def run(import_id: int) -> str | None:
    """Process the import from where it stands; returns its final state."""
    job = db.session.get(EmployeeImport, import_id)
    if job is None or job.state in DONE:
        uow.rollback()
        return job.state if job else None
    job.state = "running"
    stored_name, position = job.stored_name, job.processed_rows
    uow.commit()
    try:
        header, body = _parse(_path(stored_name).read_bytes())
    except (OSError, ValidationFailed) as exc:
        _fail(import_id, getattr(exc, "message", None) or _("The stored file is missing."))
        return "failed"
    size = max(1, current_app.config["IMPORT_BATCH_SIZE"])
    pause = current_app.config["IMPORT_SQLITE_PAUSE_SECONDS"] \
        if db.engine.dialect.name == "sqlite" else 0
    rows = list(_checked_rows(header, body))
    while position < len(rows):
        if not _apply_batch(import_id, rows[position:position + size], position):
            position = db.session.get(EmployeeImport, import_id).processed_rows
            uow.rollback()
            continue
        uow.commit()  # each batch is kept as it ends: the progress shows, a rerun resumes
        position = min(position + size, len(rows))
        if pause:
            time.sleep(pause)  # let the progress readers take SQLite's lock
    job = db.session.get(EmployeeImport, import_id)
    job.state, job.finished_at = "finished", utcnow()
    uow.commit()
    return "finished"


def rejection_rows(job: EmployeeImport) -> list[list]:
    return [[r["row"], r["email"], r["reason"]] for r in (job.rejections or [])]
