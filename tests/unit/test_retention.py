"""Abandoned drafts are purged with their files (issue 14, item 8): a draft untouched for
DRAFT_RETENTION_DAYS goes, rows and files; a draft touched since, a draft with a recent
upload, anything submitted, and a draft named in the audit trail stay."""
from datetime import timedelta

import sqlalchemy as sa

from traveler_portal.celery_app import TASK_QUEUES
from traveler_portal.domain import documents, retention
from traveler_portal.extensions import db
from traveler_portal.models import AuditEntry, Document, Event, Petition
from traveler_portal.models.users import utcnow


def _age(petition, days: int, uploads: bool = True):
    """Make the petition (and, unless told otherwise, its uploads) ``days`` old."""
    then = utcnow() - timedelta(days=days)
    db.session.execute(sa.update(Petition).where(Petition.id == petition.id)
                       .values(created_at=then, updated_at=then))
    if uploads:
        db.session.execute(sa.update(Document).where(Document.petition_id == petition.id)
                           .values(uploaded_at=then))
    db.session.commit()


def _exists(receipt: str) -> bool:
    return db.session.scalar(sa.select(sa.func.count(Petition.id)).where(
        Petition.receipt_number == receipt)) == 1


def test_abandoned_drafts_go_with_their_files_and_the_rest_stays(app, make):
    days = app.config["DRAFT_RETENTION_DAYS"]
    traveler = make.user("traveler")
    abandoned = make.draft(traveler)
    files = [documents.path_of(make.upload(traveler, abandoned, kind))
             for kind in ("passport", "employer_letter")]
    abandoned_id, abandoned_receipt = abandoned.id, abandoned.receipt_number
    _age(abandoned, days + 1)
    recent = make.draft(traveler)
    _age(recent, days - 1)
    uploaded_lately = make.draft(traveler)
    make.upload(traveler, uploaded_lately)
    _age(uploaded_lately, days + 1, uploads=False)
    filed = make.submitted(traveler)
    _age(filed, days + 30)
    audited = make.draft(traveler)
    db.session.add(AuditEntry(actor_id=traveler.id, action="case.view", object_type="petition",
                              object_id=audited.receipt_number, petition_id=audited.id))
    db.session.commit()
    _age(audited, days + 1)
    receipts = [p.receipt_number for p in (recent, uploaded_lately, filed, audited)]
    assert all(path.is_file() for path in files)

    assert retention.purge_abandoned_drafts() == 1
    assert not _exists(abandoned_receipt)
    assert not any(path.exists() for path in files)
    for model in (Document, Event):
        assert db.session.scalar(sa.select(sa.func.count(model.id)).where(
            model.petition_id == abandoned_id)) == 0
    assert all(_exists(receipt) for receipt in receipts)
    assert retention.purge_abandoned_drafts() == 0  # a second run finds nothing more


def test_editing_a_draft_keeps_it(app, make):
    days = app.config["DRAFT_RETENTION_DAYS"]
    traveler = make.user("traveler")
    draft = make.draft(traveler)
    _age(draft, days + 1)
    draft = db.session.get(Petition, draft.id)
    draft.job_title = "Senior software engineer"  # any ORM change stamps updated_at
    db.session.commit()
    assert retention.purge_abandoned_drafts() == 0
    assert _exists(draft.receipt_number)


def test_the_purge_runs_daily_from_beat(app):
    schedule = app.extensions["celery"].conf.beat_schedule["purge-abandoned-drafts"]
    assert schedule["task"] == "petitions.purge_abandoned_drafts"
    assert schedule["options"]["queue"] in TASK_QUEUES
