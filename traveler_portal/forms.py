"""Forms shared by the browser and the JSON API, so both apply the same rules.

The API feeds its JSON body in as form data (see ``api.helpers.form_from_json``), with
CSRF off because it authenticates with bearer tokens, not cookies.
"""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, EmailField, HiddenField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .domain import reference
from .domain.adjudication import DecisionInput
from .domain.evidence import ANY_KIND, Ask
from .domain.petitions import DraftInput, resolve_traveler
from .models.users import utcnow


def options(pairs) -> list[SelectChoice]:
    """A select or radio field's choices from ``(value, label)`` pairs (or choices already
    made): WTForms 3.4 drops plain tuples."""
    return [p if isinstance(p, SelectChoice) else SelectChoice(*p) for p in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Strips surrounding white space from every text field. Hidden fields (the CSRF token,
    the version on screen) render without an id: a page with several forms would repeat
    ``id="csrf_token"``, and nothing points at a hidden field."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters:
                unbound_field.kwargs["filters"] = [_strip, *filters]
            if issubclass(unbound_field.field_class, HiddenField):
                unbound_field.kwargs["render_kw"] = {
                    "id": False, **(unbound_field.kwargs.get("render_kw") or {})}
            return unbound_field.bind(form=form, **options)

    def first_errors(self) -> dict:
        return {name: str(messages[0]) for name, messages in self.errors.items() if messages}


class LinesField(TextAreaField):
    """A list of short texts: one per line in a textarea, or repeated values (JSON list)."""

    def process_formdata(self, valuelist):
        items = []
        for value in valuelist:
            items += [line.strip() for line in str(value).splitlines() if line.strip()]
        self.data = items

    def _value(self):
        return "\n".join(self.data or [])


class EmailAddress:
    """A plausible address (one @, a dotted domain). Deliverability is not judged here:
    reserved test domains (``.test``, ``.invalid``) must work as they do for accounts."""
    PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if field.data and not self.PATTERN.match(field.data):
            raise ValidationError(self.message or _l("Give a valid email address."))


def not_in_past(form, field):
    if field.data and field.data < utcnow().date():
        raise ValidationError(_l("The travel date cannot be in the past."))


class PetitionForm(BaseForm):
    destination_country = SelectField(_l("Destination country"),
                                      choices=options(list(reference.COUNTRIES.items())),
                                      validators=[InputRequired(_l("Choose the destination country."))])
    category = SelectField(_l("Category"), choices=[],
                           validators=[InputRequired(_l("Choose a category."))])
    port_of_entry = SelectField(_l("Port of entry"), choices=[],
                                validators=[InputRequired(_l("Choose a port of entry."))])
    travel_date = DateField(_l("Travel date"), format="%Y-%m-%d",
                            validators=[InputRequired(_l("Give the travel date as YYYY-MM-DD.")),
                                        not_in_past])
    job_title = StringField(_l("Job title"), validators=[
        DataRequired(_l("Give the job title.")), Length(max=200)])
    employer_name = StringField(_l("Employer name"), validators=[
        DataRequired(_l("Give the employer's name.")), Length(max=200)])
    traveler_email = EmailField(_l("Traveler's email"), validators=[
        Optional(), EmailAddress(_l("Give a valid email address."))])

    def set_country(self, country: str | None):
        """Offer only the destination country's categories and ports."""
        if country not in reference.COUNTRIES:
            return
        self.category.choices = options([(c.code, c.name) for c in reference.categories(country)])
        self.port_of_entry.choices = options([(p.code, p.name) for p in reference.ports(country)])

    def validate_category(self, field):
        country = self.destination_country.data
        category = reference.category(country, field.data) if country else None
        if category and category.channel != "port":
            raise ValidationError(_l(
                "%(name)s is decided by %(authority)s, not at a port of entry: apply there "
                "instead (WRONG_CHANNEL).", name=category.name, authority=category.decided_by))


class DecisionForm(BaseForm):
    outcome = SelectField(_l("Decision"), choices=options([
        ("approved", _l("Approve")), ("denied", _l("Deny")),
        ("evidence_requested", _l("Request more evidence"))]),
        validators=[InputRequired(_l("Choose approve, deny or request evidence."))])
    message = TextAreaField(_l("Message to the traveler"), validators=[Length(max=5000)])
    reason_codes = SelectMultipleField(_l("Reason codes"), choices=[], validate_choice=False)
    valid_until = DateField(_l("Valid until"), format="%Y-%m-%d", validators=[Optional()])
    respond_by = DateField(_l("Respond by"), format="%Y-%m-%d", validators=[Optional()])
    condition_employer = StringField(_l("Condition: employer"), validators=[Length(max=300)])
    condition_occupation = StringField(_l("Condition: occupation"),
                                       validators=[Length(max=300)])
    condition_location = StringField(_l("Condition: location"), validators=[Length(max=300)])
    version = HiddenField()

    def set_reason_choices(self):
        self.reason_codes.choices = options([(r.code, f"{r.code}: {r.title}")
                                     for r in reference.reason_codes()])

    def set_kind_choices(self, petition):
        """The category's document kinds, saying which are already on file."""
        on_file = {d.kind for d in petition.documents}
        choices = [("", _l("Any document (no particular kind)"))]
        for r in petition.category.required_documents:
            label = _l("%(name)s (already on file)", name=r.name) if r.kind in on_file \
                else r.name
            choices.append((r.kind, label))
        choices.append((ANY_KIND, _l("Other document")))
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


def draft_input(actor, form: PetitionForm):
    """The validated form as the domain's input (who the petition is for included)."""
    country = form.destination_country.data
    traveler, organization_id = resolve_traveler(actor, form.traveler_email.data)
    return DraftInput(destination_country=country,
                      category=reference.category(country, form.category.data),
                      port=reference.port(country, form.port_of_entry.data),
                      travel_date=form.travel_date.data, job_title=form.job_title.data,
                      employer_name=form.employer_name.data, traveler=traveler,
                      organization_id=organization_id)


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
