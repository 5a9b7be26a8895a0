"""Uploaded documents: judged by their content, stored outside the web root under a
generated name, hashed, and tied to their petition."""
import hashlib
import os
import re
import uuid
from pathlib import Path

import filetype
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from ..extensions import db
from ..models import Document
from ..models.users import utcnow
from . import access, uow, uploads_safety, workflow
from .errors import Conflict, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

ALLOWED_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
UPLOADABLE = workflow.UPLOADABLE


def sniff(head: bytes) -> str | None:
    """The MIME type the bytes really are, if it is one we accept (by magic numbers, via
    the ``filetype`` library; the name and the declared type are ignored)."""
    kind = filetype.guess(head)
    return kind.mime if kind and kind.mime in ALLOWED_TYPES else None


def download_name(document: Document) -> str:
    """The name a download gets: the uploaded name's stem with the extension of the type
    the content really is (a PDF uploaded as ``statement.html`` downloads as
    ``statement.pdf``), never the uploaded extension."""
    extension = ALLOWED_TYPES.get(document.content_type, "bin")
    stem = Path(secure_filename(document.filename or "")).stem or "document"
    return f"{stem[:200]}.{extension}"


def _check_petition_caps(petition, size: int) -> None:
    """Files and bytes per petition are capped (config): a draft is not a file store."""
    count, total = db.session.execute(
        sa.select(sa.func.count(Document.id), sa.func.coalesce(sa.func.sum(Document.size), 0))
        .where(Document.petition_id == petition.id)).one()
    most = current_app.config["MAX_DOCUMENTS_PER_PETITION"]
    if count >= most:
        raise ValidationFailed(
            _("This petition already has %(n)d documents, the most one petition may hold.",
              n=most),
            {"file": _("No more documents can be added: a petition holds at most %(n)d.",
                       n=most)})
    budget = current_app.config["MAX_PETITION_BYTES"]
    if total + size > budget:
        megabytes = budget // (1024 * 1024)
        raise PayloadTooLarge(
            _("The documents of one petition may total at most %(mb)d MB.", mb=megabytes),
            {"file": _("This file would take the petition's documents over %(mb)d MB in "
                       "all.", mb=megabytes)})


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(document: Document) -> Path:
    return upload_dir() / document.stored_name


@uow.atomic
def add(user, petition, kind: str, stream, filename: str) -> Document:
    """Store one upload for ``petition``; nothing is kept if any check fails."""
    document = stage(user, petition, kind, stream, filename)
    uow.on_rollback(lambda: path_of(document).unlink(missing_ok=True))
    return document


def stage(user, petition, kind: str, stream, filename: str) -> Document:
    """Check and write one upload and add its row to the session, without committing: the
    caller commits it with the rest of its change, or unlinks ``path_of`` it on failure."""
    access.require_editor(user, petition)
    if petition.status not in UPLOADABLE:
        raise Conflict(_("Documents can be added only to a draft or to answer a request "
                         "for evidence."))
    kind = (kind or "").strip().lower()
    if not KIND_PATTERN.match(kind):
        raise ValidationFailed(_("Choose the kind of document."), {
            "kind": _("Choose the kind of document (for example passport).")})
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    data = stream.read(limit + 1) if stream else b""
    if not data:
        raise ValidationFailed(_("The file is empty."),
                               {"file": _("Choose a file that is not empty.")})
    if len(data) > limit:
        megabytes = limit // (1024 * 1024)
        raise PayloadTooLarge(_("The file is larger than %(mb)d MB.", mb=megabytes), {
            "file": _("The file must be %(mb)d MB or smaller.", mb=megabytes)})
    mime = sniff(data[:8192])
    if mime is None:
        raise UnsupportedMediaType(_("Only PDF, PNG and JPEG files are accepted."),
                                   {"file": _("The file must be a PDF, PNG or JPEG.")})
    data = uploads_safety.clean(data, mime)  # no active content; images re-encoded
    _check_petition_caps(petition, len(data))
    stored_name = f"{uuid.uuid4().hex}.{ALLOWED_TYPES[mime]}"
    target = upload_dir() / stored_name
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    # The shown name keeps the uploaded stem but takes the real type's extension.
    stem = Path(secure_filename(filename or "")).stem or "document"
    display = f"{stem[:200]}.{ALLOWED_TYPES[mime]}"
    document = Document(petition_id=petition.id, kind=kind, filename=display,
                        stored_name=stored_name, content_type=mime, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), uploaded_at=utcnow(),
                        uploaded_by_id=user.id)
    db.session.add(document)
    return document
