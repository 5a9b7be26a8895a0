"""The petition and its parts as JSON (field names fixed by docs/api.md)."""
from flask import url_for

from ..domain import arrivals, evidence, identity, notices, verification, workflow
from ..domain import status as status_info
from ..models import Outcome, Status
from . import petition_input


def _date(value):
    return value.isoformat() if value else None


def _ts(value):
    return value.isoformat(timespec="seconds") if value else None


def document(doc, full: bool = False) -> dict:
    data = {"id": doc.id, "kind": doc.kind, "filename": doc.filename, "size": doc.size}
    if full:
        data.update(sha256=doc.sha256, uploaded_at=_ts(doc.uploaded_at),
                    content_type=doc.content_type)
    return data


def _decision(petition) -> dict | None:
    final = petition.final_decision
    if final is None:
        return None
    return {"outcome": str(final.outcome), "reason_codes": list(final.reason_codes or []),
            "message": final.message, "valid_from": _date(final.valid_from),
            "valid_until": _date(final.valid_until), "decided_at": _ts(final.decided_at),
            "conditions": dict(final.conditions or {}),
            "verification_code": verification.code_for(final)}


def _evidence_request(petition) -> dict | None:
    ask = petition.evidence_request
    if ask is None:
        return None
    return {"items": ask.evidence_items, "respond_by": _date(ask.respond_by),
            "message": ask.message, "requested_at": _ts(ask.decided_at),
            "responded_at": _ts(ask.responded_at),
            "details": [{"id": i.id, "requirement": i.requirement, "reason": i.reason,
                         "kind": i.document_kind, "answered_at": _ts(i.answered_at),
                         "document_id": i.response_document_id, "note": i.response_note}
                        for i in ask.items],
            "overdue": evidence.is_overdue(ask), "no_response_at": _ts(ask.no_response_at)}


def _event(event) -> dict:
    return {"at": _ts(event.at), "status": str(event.to_status) if event.to_status else None,
            "title": str(workflow.event_title(event)), "message": event.message}


def _notices(p, rows=None) -> list:
    """The stored PDF notices, each downloadable by whoever may read this petition."""
    return [{"id": n.id, "kind": n.kind, "created_at": _ts(n.created_at),
             "url": url_for("api.get_notice", receipt_number=p.receipt_number,
                            notice_id=n.id),
             "verification_code": verification.code_for(n) if n.kind == "decision" else None}
            for n in (notices.for_petition(p) if rows is None else rows)]


def _status_fields(info) -> dict:
    """waiting_on, queue_position and estimate (docs/api.md "The petition")."""
    return {"waiting_on": info.waiting_on, "queue_position": info.queue_position,
            "estimate": info.estimate.as_json() if info.estimate else None}


def petition(p, viewer=None, info=None, notice_rows=None, profiles=None) -> dict:
    """``info``: the petition's ``status.StatusInfo`` when a list computed it in batch;
    ``notice_rows``: its notices, likewise (``notices.for_petitions``); ``profiles``:
    travelers' profiles by user id (``identity.profiles_for``), the list then recording
    the identity reads itself."""
    agency = viewer is not None and viewer.is_agency
    shown = p.status if agency else workflow.public_status(p.status)
    data = {
        "receipt_number": p.receipt_number,
        "status": str(shown),
        "status_label": str(workflow.STATUS_LABELS[shown]),
        "destination_country": str(p.destination_country),
        "category": p.category.code,
        "port_of_entry": p.port.code,
        "travel_date": _date(p.travel_date),
        "job_title": p.job_title,
        "employer_name": p.employer_name,
        "traveler": {"name": p.traveler.name, "email": p.traveler.email},
        "organization": ({"id": p.organization.id, "name": p.organization.name}
                         if p.organization else None),
        "queue": ({"code": p.queue.code, "name": p.queue.name}
                  if p.queue and p.status != Status.DRAFT else None),
        "created_at": _ts(p.created_at),
        "submitted_at": _ts(p.submitted_at),
        "decided_at": _ts(p.decided_at),
        "decision": _decision(p),
        "evidence_request": _evidence_request(p),
        "documents": [document(d) for d in p.documents],
        "timeline": [_event(e) for e in p.events if e.public],
        "notices": _notices(p, notice_rows),
        "version": p.version,  # send it back with a PATCH to refuse a stale change (409)
        "job": petition_input.job_json(p),
        "answers": dict(p.details or {}),
        # What happened at the border (port officers record it), oldest first.
        "arrivals": [arrivals.arrival_json(a) for a in arrivals.of_petition(p)],
        **_status_fields(info or status_info.for_petition(p, viewer)),
    }
    if identity.may_see(viewer, p):  # the traveler, officers of the destination country
        data["identity"] = identity.for_viewer(viewer, p, via="api", record=profiles is None,
                                               **({} if profiles is None else
                                                  {"profile": profiles.get(p.traveler_id)}))
    if viewer is not None and viewer.is_agency:
        data["agency"] = {
            "assigned_officer": p.assigned_officer.email if p.assigned_officer else None,
            "priority": p.priority, "due_date": _date(p.due_date),
            "routing_reason": p.routing_reason, "version": p.version,
            "checklist": dict(p.checklist or {}),
            "pending_denial": ({"reason_codes": list(p.pending_denial.reason_codes or []),
                                "message": p.pending_denial.message,
                                "officer": p.pending_denial.officer.email}
                               if p.pending_denial else None),
            "history": [dict(_event(e), action=e.action, public=e.public,
                             actor=e.actor.email if e.actor else None) for e in p.events],
        }
    return data


OUTCOMES = [o.value for o in Outcome]
