"""The officer's case page as a whole, for the views that show it again (after an error or
a conflict): the petition, the decision form and its defaults (validity from the category,
conditions from the petition, the version the officer saw), the note, checklist and
referral forms, and the traveler's earlier petitions."""
from datetime import date

from flask import get_template_attribute, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ... import i18n
from ...domain import access, adjudication, audit, casework, identity, reference, validity
from ...forms.base import BaseForm, options
from ...forms.decision import DecisionForm
from ...models import Category, Decision, Event, EvidenceItem, Petition, Status, User
from ..support.transactions import kept_even_if_refused


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
    """The decision form's starting values: validity = the requested period capped by the
    category's maximum (domain/validity.py), conditions from what the traveler filed, the
    version on screen."""
    default = validity.default_validity(petition, date.today())
    return {"valid_until": default.until,
            "condition_employer": petition.employer_name,
            "condition_occupation": petition.occupation or petition.job_title,
            "condition_location": petition.worksite or petition.port.name,
            "version": petition.version}


OUTCOMES = ("approved", "denied", "evidence_requested")


def chosen_outcome(form) -> str | None:
    """The outcome whose fields the page shows: the form's, else ``?outcome=`` (the
    no-JavaScript step of choosing first), else none yet."""
    value = (form.outcome.data if form is not None else None) or request.args.get("outcome")
    return value if value in OUTCOMES else None


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


def case_context(petition, refer_form=None, conflict=False, earlier=None) -> dict:
    """What the case page shows besides the petition itself; ``earlier``: the traveler's
    other petitions and their count, when the page has read them already."""
    earlier, earlier_total = earlier or casework.earlier_petitions(current_user, petition)
    return {"earlier": earlier[:casework.EARLIER_LIMIT], "earlier_total": earlier_total,
            "checklist_form": ChecklistForm(formdata=None, version=petition.version),
            "refer_form": refer_form or refer_form_for(petition),
            "conflict": conflict,
            "Status": Status}


# What the case page shows of the petition, read with it in a fixed number of statements
# (one joined row, then one per collection), never one lazy load per row. The petition's
# own lists are plain statements (access.list_query says why), each with the people it
# names joined into its rows.
CASE_OPTIONS = (
    joinedload(Petition.category).selectinload(Category.required_documents),
    joinedload(Petition.port), joinedload(Petition.queue), joinedload(Petition.organization),
    joinedload(Petition.assigned_officer),
    joinedload(Petition.traveler).joinedload(User.profile),
)
CASE_LISTS = {
    "documents": access.list_query(Petition.documents),
    "decisions": access.list_query(
        Petition.decisions, joinedload(Decision.officer), joinedload(Decision.reviewed_by),
        selectinload(Decision.items).joinedload(EvidenceItem.response_document)),
    "events": access.list_query(Petition.events, joinedload(Event.actor)),
}


# The decision form's 5 evidence rows (15 WTForms fields, a fifth of the case page's CPU)
# are the same HTML on every case of a category while nobody has typed in them: kept per
# language and document choices. Rows holding input or errors are rendered each time.
_PRISTINE_ROWS: dict[tuple, str] = {}


def evidence_rows(form) -> str:
    rows = form.evidence_rows()
    fields = [f for row in rows for f in row[1:]]
    pristine = not any(f.data or f.errors for f in fields)
    key = (i18n.current_language(), tuple(f.data for f in fields),  # (None and "" differ)
           tuple((c.value, str(c.label), repr(c.render_kw), c.optgroup)
                 for c in rows[0][3].choices)) if pristine else None
    html = _PRISTINE_ROWS.get(key) if pristine else None
    if html is None:
        html = get_template_attribute("officer/_evidence_rows.html", "rows")(rows)
        if pristine:
            if len(_PRISTINE_ROWS) > 256:  # categories × languages: a handful
                _PRISTINE_ROWS.clear()
            _PRISTINE_ROWS[key] = html
    return html


def _reasons(final, codes) -> dict:
    """The final decision's reason codes by code: from the active ones the page has read,
    else (a code retired since) read again."""
    wanted = set(final.reason_codes or []) if final else set()
    found = {r.code: r for r in codes if r.code in wanted}
    return found if len(found) == len(wanted) else reference.reason_map(sorted(wanted))


def render_case(petition: Petition, status: int = 200, decision_form=None, note_form=None,
                refer_form=None, record_view: bool = False):
    """The case page; ``record_view``: this is the officer opening the case, audited as
    ``case.view``. Every render shows the identity panel, audited as ``identity.view`` (in
    one statement with the case view, after the page is built), a refused form's too."""
    mine = petition.status == Status.IN_REVIEW and \
        petition.assigned_officer_id == current_user.id
    codes = reference.reason_codes()
    if decision_form is None and mine:
        decision_form = DecisionForm(formdata=None, **decision_defaults(petition))
        decision_form.set_reason_choices(codes)
        decision_form.outcome.data = chosen_outcome(None)
    if decision_form is not None:
        decision_form.set_kind_choices(petition)
    final = petition.final_decision
    # The traveler's other petitions, read once for the identity panel and the table.
    earlier = casework.earlier_petitions(current_user, petition,
                                         limit=identity.EARLIER_DECISIONS_FROM)
    panel = identity.panel(current_user, petition, str(get_locale() or "en"),
                           earlier=earlier[0], record=False)
    chosen = valid_until = None
    if decision_form is not None:
        chosen = chosen_outcome(decision_form)
        valid_until = decision_form.valid_until.data
    default = validity.default_validity(petition, date.today())
    page = render_template(
        "officer/case.html", petition=petition, mine=mine, decision_form=decision_form,
        note_form=note_form or NoteForm(formdata=None), reason_codes=codes,
        reasons=_reasons(final, codes),
        identity_panel=panel, evidence_rows=evidence_rows,
        outcome=chosen, validity_default=default,
        validity_difference=validity.difference(valid_until, default.requested),
        **case_context(petition, refer_form, conflict=status == 409, earlier=earlier))
    reads = [("case.view", {})] if record_view else []
    reads.append(("identity.view", panel["audit"]))
    officer, shown = current_user._get_current_object(), petition

    def record():
        audit.staff_reads(officer, shown, reads)
    if status < 400:
        record()  # with the request's own work
    else:
        kept_even_if_refused(record)  # the request's work is rolled back; the read is not
    return page, status
