"""The officer's case page, beyond the decision: the category checklist, referral to
another queue, the traveler's earlier petitions, and the decision form's defaults
(validity from the category, conditions from the petition, the version the officer saw).
"""
from datetime import date, timedelta

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from .domain import access, adjudication, casework, uow
from .domain.errors import Conflict, ValidationFailed
from .forms import BaseForm, options
from .models import Role, Status
from .permissions import roles_required

bp = Blueprint("casework", __name__, url_prefix="/officer/cases")
AGENCY = (Role.OFFICER, Role.SUPERVISOR)


class ReferForm(BaseForm):
    queue = SelectField(_l("Refer to queue"), choices=[],
                        validators=[DataRequired(_l("Choose a queue."))])
    reason = TextAreaField(_l("Why this queue"), validators=[
        DataRequired(_l("Say why the case goes to that queue.")), Length(max=2000)])
    version = HiddenField()


class ChecklistForm(BaseForm):
    version = HiddenField()


def decision_defaults(petition) -> dict:
    """The decision form's starting values: validity from the category's default (capped by
    its maximum), conditions from what the traveler filed, the version on screen."""
    category, today = petition.category, date.today()
    days = category.default_validity_days or category.max_validity_days
    if days and category.max_validity_days:
        days = min(days, category.max_validity_days)
    return {"valid_until": today + timedelta(days=days) if days else None,
            "condition_employer": petition.employer_name,
            "condition_occupation": petition.occupation or petition.job_title,
            "condition_location": petition.worksite or petition.port.name,
            "version": petition.version}


def restamp(form, petition):
    """After a conflict: keep the officer's input, carry the version now on screen."""
    form.version.data = petition.version
    form.version.raw_data = [str(petition.version)]
    form.set_reason_choices()
    return form


def _refer_form(petition, formdata=None):
    form = ReferForm(formdata=formdata, version=petition.version)
    form.queue.choices = options([(q.code, f"{q.name} ({q.code})")
                          for q in adjudication.country_queues(current_user)
                          if q.id != petition.queue_id])
    return form


def case_context(petition, refer_form=None, conflict=False) -> dict:
    """What the case page shows besides the petition itself."""
    earlier, earlier_total = casework.earlier_petitions(current_user, petition)
    return {"earlier": earlier, "earlier_total": earlier_total,
            "checklist_form": ChecklistForm(formdata=None, version=petition.version),
            "refer_form": refer_form or _refer_form(petition),
            "conflict": conflict,
            "Status": Status}


def _back(petition_or_number, anchor=""):
    number = getattr(petition_or_number, "receipt_number", petition_or_number)
    return redirect(url_for("officers.case", receipt_number=number) + anchor)


@bp.post("/<receipt_number>/checklist")
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
        uow.rollback()
        flash(exc.message + " " + _("Items you ticked: %(items)s.",
                                     items=", ".join(ticked) or "–"), "error")
        return _back(receipt_number, "#checklist")
    flash(_("The checklist was saved."), "success")
    return _back(receipt_number, "#checklist")


@bp.post("/<receipt_number>/refer")
@roles_required(*AGENCY)
def refer(receipt_number):
    """Send a claimed case to another queue of the country, saying why."""
    from .officers import _render_case  # the case page renderer lives with the case view
    petition = access.get_petition(current_user, receipt_number)
    form = _refer_form(petition, request.form)
    status = 422
    if form.validate_on_submit():
        try:
            casework.refer(current_user, receipt_number, form.queue.data, form.reason.data,
                           form.version.data)
        except ValidationFailed as exc:
            uow.rollback()
            for name, message in exc.fields.items():
                target = form[name] if name in form else form.reason
                target.errors = [*target.errors, message]
        except Conflict as exc:
            uow.rollback()
            flash(exc.message, "error")
            status = 409
        else:
            flash(_("%(number)s was referred to %(queue)s.", number=receipt_number,
                    queue=form.queue.data), "success")
            return redirect(url_for("officers.queues"))
    petition = access.get_petition(current_user, receipt_number)
    form.version.data = petition.version
    return _render_case(petition, status=status, refer_form=form)
