"""The officer's case page as a whole, for the views that show it again (after an error or
a conflict): the petition, the decision form and its defaults (validity from the category,
conditions from the petition, the version the officer saw), the note, checklist and
referral forms, and the traveler's earlier petitions."""
from datetime import date, timedelta

from flask import render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...domain import adjudication, casework, identity, reference
from ...forms.base import BaseForm, options
from ...forms.decision import DecisionForm
from ...models import Petition, Status


class NoteForm(BaseForm):
    note = TextAreaField(_l("Internal note"), validators=[
        DataRequired(_l("Write the note.")), Length(max=5000)])


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


def refer_form_for(petition, formdata=None):
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
            "refer_form": refer_form or refer_form_for(petition),
            "conflict": conflict,
            "Status": Status}


def render_case(petition: Petition, status: int = 200, decision_form=None, note_form=None,
                 refer_form=None):
    mine = petition.status == Status.IN_REVIEW and \
        petition.assigned_officer_id == current_user.id
    if decision_form is None and mine:
        decision_form = DecisionForm(formdata=None, **decision_defaults(petition))
        decision_form.set_reason_choices()
    if decision_form is not None:
        decision_form.set_kind_choices(petition)
    final = petition.final_decision
    panel = identity.panel(current_user, petition, str(get_locale() or "en"))
    return render_template(
        "officer/case.html", petition=petition, mine=mine, decision_form=decision_form,
        note_form=note_form or NoteForm(formdata=None), reason_codes=reference.reason_codes(),
        reasons=reference.reason_map(final.reason_codes if final else []),
        identity_panel=panel,
        **case_context(petition, refer_form, conflict=status == 409)), status
