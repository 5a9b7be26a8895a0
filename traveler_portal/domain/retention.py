"""Abandoned drafts do not stay for ever (issue 14, item 8).

A draft nobody has touched for DRAFT_RETENTION_DAYS — no change to the petition row (its
``updated_at``, set on every UPDATE) and no upload — is deleted with its documents'
files, events and notifications. Only drafts: anything submitted is a case record. A
draft staff have looked at (an audit entry names it) is kept: the audit trail is
append-only. Each petition is re-checked under its row lock, so two runs at once, or a
traveler saving the draft at that moment, never lose work; files are removed only after
the commit that removed their rows.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import AuditEntry, Document, Event, Notification, Petition, Status
from ..models.users import utcnow
from . import documents, uow

log = logging.getLogger(__name__)
BATCH = 100


def _abandoned(cutoff):
    last_upload = (sa.select(sa.func.max(Document.uploaded_at))
                   .where(Document.petition_id == Petition.id).scalar_subquery())
    audited = sa.exists().where(AuditEntry.petition_id == Petition.id)
    return sa.and_(Petition.status == Status.DRAFT,
                   sa.func.coalesce(Petition.updated_at, Petition.created_at) < cutoff,
                   sa.or_(last_upload.is_(None), last_upload < cutoff), ~audited)


def purge_abandoned_drafts(now=None) -> int:
    """Delete the drafts abandoned before ``now`` − DRAFT_RETENTION_DAYS; their count."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["DRAFT_RETENTION_DAYS"])
    purged = 0
    while True:
        ids = db.session.scalars(sa.select(Petition.id).where(_abandoned(cutoff))
                                 .order_by(Petition.id).limit(BATCH)).all()
        db.session.rollback()
        if not ids:
            return purged
        for petition_id in ids:
            purged += _purge_one(petition_id, cutoff)


def _purge_one(petition_id: int, cutoff) -> int:
    petition = db.session.scalars(sa.select(Petition).where(
        Petition.id == petition_id, _abandoned(cutoff)).with_for_update()).first()
    if petition is None:  # touched, submitted or purged meanwhile
        db.session.rollback()
        return 0
    paths = [documents.path_of(d) for d in petition.documents]
    receipt = petition.receipt_number
    for model in (Notification, Event, Document):
        db.session.execute(sa.delete(model).where(model.petition_id == petition_id))
    db.session.execute(sa.delete(Petition).where(Petition.id == petition_id))
    uow.commit()
    for path in paths:
        path.unlink(missing_ok=True)
    log.info("retention: purged abandoned draft %s and %d file(s)", receipt, len(paths))
    return 1
