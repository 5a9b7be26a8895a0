"""Officer and supervisor pages: their country's queues, claiming, the case page with
documents, full history and internal notes, and the decision.

A petition bound for another country, or still a draft, does not exist here (404):
``access.get_petition`` applies the officer's country.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from . import casework_web, travelers
from .domain import access, adjudication, audit, casework, reference, uow, workspace
from .domain.errors import Conflict, ValidationFailed
from .forms import BaseForm, DecisionForm, decision_error_fields, decision_input
from .models import Petition, Role, Status
from .permissions import roles_required

bp = Blueprint("officers", __name__, url_prefix="/officer")
AGENCY = (Role.OFFICER, Role.SUPERVISOR)

DECIDED = {"approved": _l("Petition %(number)s was approved."),
           "denied": _l("Petition %(number)s was denied."),
           "evidence_requested": _l("A request for evidence was sent for %(number)s.")}


class NoteForm(BaseForm):
    note = TextAreaField(_l("Internal note"), validators=[
        DataRequired(_l("Write the note.")), Length(max=5000)])


def _render_case(petition: Petition, status: int = 200, decision_form=None, note_form=None,
                 refer_form=None):
    mine = petition.status == Status.IN_REVIEW and \
        petition.assigned_officer_id == current_user.id
    if decision_form is None and mine:
        decision_form = DecisionForm(formdata=None, **casework_web.decision_defaults(petition))
        decision_form.set_reason_choices()
    if decision_form is not None:
        decision_form.set_kind_choices(petition)
    final = petition.final_decision
    return render_template(
        "officers/case.html", petition=petition, mine=mine, decision_form=decision_form,
        note_form=note_form or NoteForm(formdata=None), reason_codes=reference.reason_codes(),
        reasons=reference.reason_map(final.reason_codes if final else []),
        **casework_web.case_context(petition, refer_form, conflict=status == 409)), status


@bp.get("/")
@roles_required(*AGENCY)
def queues():
    """The country's queues, how many petitions wait in each, and a claim button."""
    return render_template("officers/queues.html",
                           summaries=workspace.summaries(current_user),
                           my_case_count=len(adjudication.my_cases(current_user)))


@bp.post("/queues/<code>/claim")
@roles_required(*AGENCY)
def claim(code):
    """Claim the most urgent petition of the queue."""
    petition = adjudication.claim_next(current_user, code)
    if petition is None:
        flash(_("The queue %(code)s is empty: there is nothing to claim.", code=code), "info")
        return redirect(url_for(".queues"))
    flash(_("You claimed %(number)s.", number=petition.receipt_number), "success")
    return redirect(url_for(".case", receipt_number=petition.receipt_number))


@bp.get("/cases")
@roles_required(*AGENCY)
def my_cases():
    """The petitions the officer has claimed and not yet decided."""
    return render_template("officers/my_cases.html", cases=adjudication.my_cases(current_user))


@bp.get("/cases/<receipt_number>")
@roles_required(*AGENCY)
def case(receipt_number):
    """Everything about one petition, and the decision form when it is claimed."""
    petition = access.get_petition(current_user, receipt_number)
    audit.record(current_user, "case.view", "petition", petition.receipt_number, petition)
    uow.commit()
    return _render_case(petition)


@bp.get("/cases/<receipt_number>/documents/<document_id>")
@roles_required(*AGENCY)
def document(receipt_number, document_id):
    """Open one document inline (each view goes to the audit trail)."""
    response = travelers.stream_document(current_user, receipt_number, document_id)
    petition = access.get_petition(current_user, receipt_number)
    audit.record(current_user, "document.view", "document", document_id, petition)
    uow.commit()
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
            uow.rollback()
            travelers.apply_errors(form, exc, fallback="note")
        else:
            flash(_("The note was added to the case history."), "success")
            return redirect(url_for(".case", receipt_number=receipt_number) + "#history")
    return _render_case(access.get_petition(current_user, receipt_number), status=422,
                        note_form=form)


@bp.post("/cases/<receipt_number>/release")
@roles_required(*AGENCY)
def release(receipt_number):
    """Give a claimed petition back to its queue."""
    try:
        adjudication.release(current_user, receipt_number, request.form.get("version"))
    except Conflict as exc:
        uow.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".case", receipt_number=receipt_number))
    flash(_("%(number)s is back in its queue.", number=receipt_number), "success")
    return redirect(url_for(".queues"))


@bp.post("/cases/<receipt_number>/decision")
@roles_required(*AGENCY)
def decide(receipt_number):
    """Approve, deny or request evidence; errors come back on the form's fields."""
    form = DecisionForm()
    form.set_reason_choices()
    if form.validate_on_submit():
        try:
            adjudication.decide(current_user, receipt_number, decision_input(form))
        except ValidationFailed as exc:
            uow.rollback()
            exc.fields = decision_error_fields(exc.fields)
            travelers.apply_errors(form, exc, fallback="outcome")
        except Conflict as exc:
            uow.rollback()
            # Nothing is lost: the officer's input comes back with the case as it is now.
            flash(exc.message, "error")
            petition = access.get_petition(current_user, receipt_number)
            return _render_case(petition, status=409,
                                decision_form=casework_web.restamp(form, petition))
        else:
            flash(str(DECIDED[form.outcome.data]) % {"number": receipt_number}, "success")
            return redirect(url_for(".queues"))
    return _render_case(access.get_petition(current_user, receipt_number), status=422,
                        decision_form=form)
