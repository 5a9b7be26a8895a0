"""Requests for evidence: what an officer may ask, how the traveler answers every item in
one response, and the deadline sweep that hands an unanswered case back to its officer.

The rules, in one place:

- An item names the unmet requirement and *why* the evidence on file falls short. API v1
  clients may still send a bare string: a requirement without a reason. An item may name
  the document kind it expects: one of the category's kinds, or ``other``.
- Never ask again for a document already on file: an item naming a kind (other than
  ``other``) of which the petition already holds a document is refused, unless its reason
  says why that document is not enough in at least ``REASK_MIN_REASON`` characters.
- One consolidated response: every item is answered with a document of the petition, a new
  upload or one already on file (reuse), with an optional note; otherwise nothing is saved.
  Without explicit answers (API v1), each item takes a document uploaded since the request:
  of its kind when it names one, otherwise any new one.
- ``respond_by`` is the last day to answer: from the next day (UTC) an unanswered request
  is overdue, and :func:`sweep_deadlines` sends the case back, in review, to the officer who
  asked, marked "no response" (``Decision.no_response_at``).
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Decision, EvidenceItem, Outcome, Petition, Status
from ..models.users import utcnow
from . import documents, uow, workflow
from .errors import DomainError, ValidationFailed

REASK_MIN_REASON = 30
MAX_REQUIREMENT, MAX_REASON, MAX_NOTE = 500, 2000, 2000
ANY_KIND = "other"


@dataclass
class Ask:
    """One item an officer asks for. ``ref`` formats the error key of one of its parts
    (e.g. ``"evidence_items[0].{}"`` in the API, ``"item1_{}"`` on the form)."""
    requirement: str
    reason: str = ""
    kind: str = ""
    ref: str = "evidence_items[0].{}"
    legacy: bool = False  # API v1 string: no reason required


@dataclass
class Answer:
    """The traveler's answer to one item: a document on file, or a new upload
    (``upload`` = (stream, filename)), and an optional note."""
    item_id: int
    document_id: str | None = None
    upload: tuple | None = None
    note: str = ""


def asks_from(raw) -> list:
    """Strings (API v1), objects ``{"requirement", "reason", "kind"}`` or :class:`Ask`."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raw = [raw]
    asks = []
    for i, item in enumerate(raw):
        ref = f"evidence_items[{i}]" + ".{}"
        if isinstance(item, Ask):
            asks.append(item)
        elif isinstance(item, str):
            if item.strip():
                asks.append(Ask(item.strip(), ref=ref, legacy=True))
        elif isinstance(item, dict):
            asks.append(Ask(*(str(item.get(k) or "").strip()
                              for k in ("requirement", "reason", "kind")), ref=ref))
        else:
            raise ValidationFailed(_("Bad evidence items."), {"evidence_items": _(
                "Each item is a string or an object with requirement, reason and kind.")})
    return asks


def ask_errors(petition: Petition, asks: list) -> dict:
    """Field errors of a request's items; empty when they may be sent."""
    if not asks:
        return {"evidence_items": _("List at least one item of evidence.")}
    names = {r.kind: r.name for r in petition.category.required_documents}
    on_file = {d.kind: d for d in petition.documents}
    errors = {}
    for ask in asks:
        if not ask.requirement:
            errors[ask.ref.format("requirement")] = _("Say what is needed.")
        elif len(ask.requirement) > MAX_REQUIREMENT:
            errors[ask.ref.format("requirement")] = _(
                "Keep the requirement under %(n)s characters.", n=MAX_REQUIREMENT)
        if not ask.reason and not ask.legacy:
            errors[ask.ref.format("reason")] = _(
                "Say why the evidence on file falls short.")
        elif len(ask.reason) > MAX_REASON:
            errors[ask.ref.format("reason")] = _(
                "Keep the reason under %(n)s characters.", n=MAX_REASON)
        if ask.kind and ask.kind != ANY_KIND and ask.kind not in names:
            errors[ask.ref.format("kind")] = _(
                "Choose one of this category's documents (%(kinds)s) or “other”.",
                kinds=", ".join(names))
        elif ask.kind in on_file and ask.kind != ANY_KIND \
                and len(ask.reason) < REASK_MIN_REASON:
            errors[ask.ref.format("kind")] = _(
                "%(name)s is already on file (%(file)s). Do not ask for it again unless "
                "the reason says why that document is not enough (at least %(n)s "
                "characters).", name=names[ask.kind], file=on_file[ask.kind].filename,
                n=REASK_MIN_REASON)
    return errors


def add_items(decision: Decision, asks: list) -> None:
    """The request's items as rows (``Decision.evidence_items`` reads them back)."""
    decision.items = [EvidenceItem(position=i, requirement=a.requirement, reason=a.reason,
                                   document_kind=a.kind or None)
                      for i, a in enumerate(asks)]


def answers_from(raw) -> list | None:
    """The API's ``items``: ``[{"id", "document_id", "note"}]``; None when not sent."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(a, dict) for a in raw):
        raise ValidationFailed(_("Bad answers."), {"items": _(
            "Send items as a list of objects with id, document_id and note.")})
    answers = []
    for a in raw:
        try:
            item_id = int(a.get("id"))
        except (TypeError, ValueError):
            raise ValidationFailed(_("Bad answers."), {"items": _(
                "Every answer names the id of the item it answers.")}) from None
        answers.append(Answer(item_id, str(a.get("document_id") or "").strip() or None,
                              note=str(a.get("note") or "").strip()))
    return answers


def _label(item) -> str:
    return _("Item %(n)s (%(requirement)s)", n=item.position + 1,
             requirement=item.requirement)


def _auto_answers(petition: Petition, ask: Decision) -> list:
    """API v1: documents uploaded since the request, matched by kind where named."""
    new = [d for d in petition.documents if d.uploaded_at >= ask.decided_at][::-1]
    used, answers = set(), []
    for item in ask.items:
        pool = [d for d in new if d.kind == item.document_kind] if item.document_kind \
            else ([d for d in new if d.id not in used] or new)
        if pool:
            used.add(pool[0].id)
            answers.append(Answer(item.id, pool[0].id))
    return answers


def _answer_errors(petition, ask, answers) -> dict:
    errors = {}
    by_id = {}
    known = {item.id for item in ask.items}
    docs = {d.id for d in petition.documents}
    for a in answers:
        if a.item_id not in known:
            errors["items"] = _("Item %(id)s is not part of this request.", id=a.item_id)
        elif a.item_id in by_id:
            errors["items"] = _("Item %(id)s is answered twice.", id=a.item_id)
        by_id[a.item_id] = a
    for item in ask.items:
        a = by_id.get(item.id)
        key = f"item{item.id}_document"
        if a is None or not (a.document_id or a.upload):
            errors[key] = _("%(item)s is not answered: upload a file or choose a document "
                            "already on file.", item=_label(item))
        elif a.document_id and a.upload:
            errors[key] = _("%(item)s: choose a new file or a document on file, not both.",
                            item=_label(item))
        elif a.document_id and a.document_id not in docs:
            errors[key] = _("%(item)s: that document is not on file for this petition.",
                            item=_label(item))
        elif len(a.note) > MAX_NOTE:
            errors[f"item{item.id}_note"] = _("Keep the note under %(n)s characters.",
                                              n=MAX_NOTE)
    return errors


def record_answers(actor, petition: Petition, ask: Decision, answers: list | None) -> list:
    """Check and record the answer to every item of ``ask`` (nothing when one is missing);
    returns the documents staged for upload, for the caller to unlink if its commit fails.
    Called by ``petitions.respond_to_evidence`` only."""
    if not ask.items:  # a request from before itemised requests: any new document
        if not any(d.uploaded_at >= ask.decided_at for d in petition.documents):
            raise ValidationFailed(_("Upload the requested documents first."), {
                "documents": _("Upload at least one of the requested documents before you "
                               "send your response.")})
        return []
    legacy = answers is None
    answers = _auto_answers(petition, ask) if legacy else answers
    errors = _answer_errors(petition, ask, answers)
    if errors:
        if legacy:
            errors["documents"] = _("Upload a document for every item requested before "
                                    "you send your response.")
        raise ValidationFailed(_("Every item of the request must be answered."), errors)
    by_id, staged, now = {a.item_id: a for a in answers}, [], utcnow()
    docs = {d.id: d for d in petition.documents}
    for item in ask.items:
        a = by_id[item.id]
        if a.upload:
            try:
                doc = documents.stage(actor, petition, item.document_kind or ANY_KIND,
                                      *a.upload)
            except DomainError as exc:
                discard(staged)
                exc.fields = {f"item{item.id}_file": m for m in (exc.fields or {}).values()}
                raise
            except Exception:
                discard(staged)
                raise
            staged.append(doc)
        else:
            doc = docs[a.document_id]
        item.response_document, item.response_note, item.answered_at = doc, a.note, now
    ask.responded_at = now
    return staged


def discard(staged: list) -> None:
    """Remove the files of staged uploads whose commit failed."""
    for doc in staged:
        documents.path_of(doc).unlink(missing_ok=True)


def is_overdue(ask: Decision | None, today=None) -> bool:
    if ask is None or ask.responded_at or not ask.respond_by:
        return False
    return ask.respond_by < (today or utcnow().date())


def sweep_deadlines(today=None) -> int:
    """Send every petition whose request went unanswered past its deadline back to the
    officer who asked. Safe to run twice at once: each petition is locked (skipped if
    another sweep holds it) and re-checked before it moves."""
    today = today or utcnow().date()
    latest = (sa.select(sa.func.max(Decision.id))
              .where(Decision.petition_id == Petition.id,
                     Decision.outcome == Outcome.EVIDENCE_REQUESTED)
              .correlate(Petition).scalar_subquery())
    due = db.session.scalars(
        sa.select(Petition.id).join(Decision, Decision.id == latest)
        .where(Petition.status == Status.EVIDENCE_REQUESTED, Decision.respond_by < today,
               Decision.responded_at.is_(None), Decision.no_response_at.is_(None))
        .order_by(Petition.id)).all()
    uow.rollback()
    moved = 0
    for petition_id in due:
        petition = db.session.scalars(
            sa.select(Petition).where(Petition.id == petition_id,
                                      Petition.status == Status.EVIDENCE_REQUESTED)
            # Wait for a concurrent run's lock, then re-check: skipping would leave the
            # row for a whole interval.
            .with_for_update(of=Petition)).first()
        ask = petition.evidence_request if petition else None
        if ask is None or ask.no_response_at or not is_overdue(ask, today):
            uow.rollback()
            continue
        now = utcnow()
        workflow.apply(petition, "evidence_deadline_passed")
        ask.no_response_at = now
        petition.assigned_officer_id, petition.claimed_at = ask.officer_id, now
        uow.commit()
        moved += 1
    return moved
