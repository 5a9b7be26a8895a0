"""The officer's cases: the ones claimed, one case's page (each view audited), its
documents, internal notes, and giving a case back to its queue.

A petition bound for another country, or still a draft, does not exist here (404):
``access.get_petition`` applies the officer's country.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import access, adjudication, audit, evidence_return
from ...domain.errors import Conflict, ValidationFailed
from ...forms.base import apply_errors
from ..support.downloads import stream_document
from ..support.permissions import roles_required
from .blueprint import AGENCY, bp
from .case_page import CASE_LISTS, CASE_OPTIONS, NoteForm, render_case


@bp.get("/cases")
@roles_required(*AGENCY)
def my_cases():
    """The petitions the officer has claimed and not yet decided, and the answered requests
    for evidence waiting for them in a queue."""
    return render_template("officer/my_cases.html", cases=adjudication.my_cases(current_user),
                           returned=evidence_return.returned_to(current_user))


@bp.get("/cases/<receipt_number>")
@roles_required(*AGENCY)
def case(receipt_number):
    """Everything about one petition, and the decision form when it is claimed."""
    petition = access.get_petition(current_user, receipt_number, options=CASE_OPTIONS,
                                   lists=CASE_LISTS)
    return render_case(petition, record_view=True)  # audited: case.view, identity.view


@bp.get("/cases/<receipt_number>/documents/<document_id>")
@roles_required(*AGENCY)
def document(receipt_number, document_id):
    """Open one document inline (each view goes to the audit trail)."""
    response = stream_document(current_user, receipt_number, document_id)
    petition = access.get_petition(current_user, receipt_number)
    audit.record(current_user, "document.view", "document", document_id, petition)
    return response


@bp.post("/cases/<receipt_number>/notes")
@roles_required(*AGENCY)
def add_note(receipt_number):
    """Add an internal note (never shown to the traveler or the employer)."""
    form = NoteForm()
    if form.validate_on_submit():
        try:
            adjudication.add_note(current_user, receipt_number, form.note.data)
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="note")
        else:
            flash(_("The note was added to the case history."), "success")
            return redirect(url_for(".case", receipt_number=receipt_number) + "#history")
    return render_case(access.get_petition(current_user, receipt_number), status=422,
                        note_form=form)


@bp.post("/cases/<receipt_number>/release")
@roles_required(*AGENCY)
def release(receipt_number):
    """Give a claimed petition back to its queue."""
    try:
        adjudication.release(current_user, receipt_number, request.form.get("version"))
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for(".case", receipt_number=receipt_number))
    flash(_("%(number)s is back in its queue.", number=receipt_number), "success")
    return redirect(url_for(".queues"))
