"""The officer's decision (approve, deny, request evidence), from the case page and the
API alike."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from ..domain import reference
from ..domain.adjudication import DecisionInput
from ..domain.evidence import ANY_KIND, Ask
from .base import BaseForm, options


class DecisionForm(BaseForm):
    outcome = SelectField(_l("Decision"), choices=options([
        ("approved", _l("Approve")), ("denied", _l("Deny")),
        ("evidence_requested", _l("Request more evidence"))]),
        validators=[InputRequired(_l("Choose approve, deny or request evidence."))])
    reason_codes = SelectMultipleField(_l("Reason codes"), choices=[], validate_choice=False)
    valid_until = DateField(_l("Valid until"), format="%Y-%m-%d", validators=[Optional()])
    condition_employer = StringField(_l("Condition: employer"), validators=[Length(max=300)])
    condition_occupation = StringField(_l("Condition: occupation"),
                                       validators=[Length(max=300)])
    condition_location = StringField(_l("Condition: location"), validators=[Length(max=300)])
    version = HiddenField()

    def set_reason_choices(self, codes=None):
        """``codes``: the active reason codes, when the page has read them already."""
        self.reason_codes.choices = options([(r.code, f"{r.code}: {r.title}") for r in
                                             (reference.reason_codes() if codes is None
                                              else codes)])

    def set_kind_choices(self, petition):
        """The category's document kinds, saying which are already on file. The labels
        are translated here, once (the form is shown in this request's language): as lazy
        strings the 5 rows' selects translated each of them again per row."""
        on_file = {d.kind for d in petition.documents}
        choices = [("", _("Any document (no particular kind)"))]
        for r in petition.category.required_documents:
            label = _("%(name)s (already on file)", name=r.name) if r.kind in on_file \
                else r.name
            choices.append((r.kind, label))
        choices.append((ANY_KIND, _("Other document")))
        for n in range(1, EVIDENCE_ROWS + 1):
            self[f"item{n}_kind"].choices = options(choices)

    def evidence_rows(self):
        """The request's rows as (number, requirement, reason, kind) fields."""
        return [(n, self[f"item{n}_requirement"], self[f"item{n}_reason"],
                 self[f"item{n}_kind"]) for n in range(1, EVIDENCE_ROWS + 1)]


EVIDENCE_ROWS = 5  # fixed rows, no JavaScript: empty rows are ignored
for _n in range(1, EVIDENCE_ROWS + 1):
    setattr(DecisionForm, f"item{_n}_requirement", StringField(
        _l("Item %(n)s: what is needed", n=_n), validators=[Length(max=500)]))
    setattr(DecisionForm, f"item{_n}_reason", TextAreaField(
        _l("Item %(n)s: why the evidence on file falls short", n=_n),
        validators=[Length(max=2000)]))
    setattr(DecisionForm, f"item{_n}_kind", SelectField(
        _l("Item %(n)s: document expected (optional)", n=_n), choices=[],
        validate_choice=False))
# Declared after the rows, as on the case page: the error summary follows page order.
DecisionForm.respond_by = DateField(_l("Respond by"), format="%Y-%m-%d",
                                    validators=[Optional()])
DecisionForm.message = TextAreaField(_l("Message to the traveler"),
                                     validators=[Length(max=5000)])


def decision_input(form: DecisionForm, evidence_items=None, conditions=None, version=None):
    """The decision for the domain; the API passes its ``evidence_items`` JSON as is, the
    browser form its non-empty rows."""
    if evidence_items is None:
        evidence_items = [Ask(req.data or "", why.data or "", kind.data or "",
                              ref=f"item{n}_" + "{}")
                          for n, req, why, kind in form.evidence_rows()
                          if req.data or why.data or kind.data]
    return DecisionInput(outcome=form.outcome.data, message=form.message.data or "",
                         reason_codes=list(form.reason_codes.data or []),
                         valid_until=form.valid_until.data,
                         evidence_items=evidence_items, respond_by=form.respond_by.data,
                         conditions=conditions if isinstance(conditions, dict) else {
                             key: form[f"condition_{key}"].data or ""
                             for key in ("employer", "occupation", "location")},
                         version=version if version is not None else (form.version.data or None))


def decision_error_fields(fields: dict) -> dict:
    """Domain error keys as the browser form's fields (the list itself is row 1)."""
    return {("item1_requirement" if k == "evidence_items" else k): v
            for k, v in fields.items()}
