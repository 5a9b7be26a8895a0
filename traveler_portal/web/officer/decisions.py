"""The officer's decision on a claimed case: approve, deny or request evidence; errors come
back on the form's fields, a conflict keeps the officer's input."""
from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import access, adjudication
from ...domain.errors import Conflict, ValidationFailed
from ...forms.base import apply_errors
from ...forms.decision import DecisionForm, decision_error_fields, decision_input
from ..support.permissions import roles_required
from .blueprint import AGENCY, bp
from .case_page import render_case, restamp

DECIDED = {"approved": _l("Petition %(number)s was approved."),
           "denied": _l("Petition %(number)s was denied."),
           "evidence_requested": _l("A request for evidence was sent for %(number)s.")}


@bp.post("/cases/<receipt_number>/decision")
@roles_required(*AGENCY)
def decide(receipt_number):
    """Approve, deny or request evidence; errors come back on the form's fields."""
    form = DecisionForm()
    form.set_reason_choices()
    if request.form.get("step") == "choose":
        # Without JavaScript the officer chooses the outcome first ("Continue"): the page
        # comes back with that outcome's fields only, and the input kept.
        if form.outcome.data not in DECIDED:
            form.outcome.errors = [_l("Choose approve, deny or request evidence.")]
        petition = access.get_petition(current_user, receipt_number)
        return render_case(petition, status=422 if form.outcome.errors else 200,
                           decision_form=form)
    if form.validate_on_submit():
        try:
            adjudication.decide(current_user, receipt_number, decision_input(form))
        except ValidationFailed as exc:
            exc.fields = decision_error_fields(exc.fields)
            apply_errors(form, exc, fallback="outcome")
        except Conflict as exc:
            # Nothing is lost: the officer's input comes back with the case as it is now.
            flash(exc.message, "error")
            petition = access.get_petition(current_user, receipt_number)
            return render_case(petition, status=409,
                                decision_form=restamp(form, petition))
        else:
            flash(str(DECIDED[form.outcome.data]) % {"number": receipt_number}, "success")
            return redirect(url_for(".queues"))
    return render_case(access.get_petition(current_user, receipt_number), status=422,
                        decision_form=form)
