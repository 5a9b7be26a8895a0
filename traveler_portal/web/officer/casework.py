"""The checklist and referral on the officer's case page."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import access, casework
from ...domain.errors import Conflict, ValidationFailed
from ..support.permissions import roles_required
from .blueprint import AGENCY, bp
from .case_page import ChecklistForm, refer_form_for, render_case


def _back(petition_or_number, anchor=""):
    number = getattr(petition_or_number, "receipt_number", petition_or_number)
    return redirect(url_for("officer.case", receipt_number=number) + anchor)


@bp.post("/cases/<receipt_number>/checklist")
@roles_required(*AGENCY)
def checklist(receipt_number):
    """Save the checklist items the officer ticked."""
    form = ChecklistForm()
    if not form.validate_on_submit():
        flash(_("The form expired: tick the items again."), "error")
        return _back(receipt_number, "#checklist")
    ticked = request.form.getlist("checked")
    try:
        casework.save_checklist(current_user, receipt_number, ticked, form.version.data)
    except Conflict as exc:
        flash(exc.message + " " + _("Items you ticked: %(items)s.",
                                     items=", ".join(ticked) or "–"), "error")
        return _back(receipt_number, "#checklist")
    flash(_("The checklist was saved."), "success")
    return _back(receipt_number, "#checklist")


@bp.post("/cases/<receipt_number>/refer")
@roles_required(*AGENCY)
def refer(receipt_number):
    """Send a claimed case to another queue of the country, saying why."""
    petition = access.get_petition(current_user, receipt_number)
    form = refer_form_for(petition, request.form)
    status = 422
    if form.validate_on_submit():
        try:
            casework.refer(current_user, receipt_number, form.queue.data, form.reason.data,
                           form.version.data)
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                target = form._fields.get(name, form.reason)
                target.errors = [*target.errors, message]
        except Conflict as exc:
            flash(exc.message, "error")
            status = 409
        else:
            flash(_("%(number)s was referred to %(queue)s.", number=receipt_number,
                    queue=form.queue.data), "success")
            return redirect(url_for("officer.queues"))
    petition = access.get_petition(current_user, receipt_number)
    form.version.data = petition.version
    return render_case(petition, status=status, refer_form=form)
