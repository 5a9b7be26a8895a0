"""Forms of the guided filing steps. Each carries the draft's version, so a save made
from an outdated page is refused instead of overwriting a later edit."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..domain import filing, reference
from ..models.users import utcnow
from ..reference import professions
from .base import BaseForm, options
from .petition import PetitionForm


def _not_before_today(form, field):
    if field.data and field.data < utcnow().date():
        raise ValidationError(_l("The start date cannot be before today."))


class TripForm(PetitionForm):
    """Destination (fixed by the first choice), category, port and dates."""
    job_title = None  # asked in the job step
    employer_name = None
    traveler_email = None
    requested_start = DateField(_l("Work starts on"), format="%Y-%m-%d", validators=[
        InputRequired(_l("Give the date your work starts.")), _not_before_today])
    requested_end = DateField(_l("Work ends on"), format="%Y-%m-%d", validators=[
        InputRequired(_l("Give the date your work ends."))])
    version = HiddenField()

    def validate_requested_end(self, field):
        start, end = self.requested_start.data, field.data
        if not (start and end):
            return
        if end <= start:
            raise ValidationError(_l("The end date must be after the start date."))
        category = reference.category(self.destination_country.data, self.category.data)
        if category and category.max_validity_days and \
                (end - start).days > category.max_validity_days:
            raise ValidationError(_("This category allows a stay of at most %(days)d days.",
                                    days=category.max_validity_days))


def _salary(form, field):
    if field.data and not filing.SALARY_PATTERN.match(field.data):
        raise ValidationError(_l("Give the salary as a number, for example 95000 or "
                                 "95000.50."))


class JobForm(BaseForm):
    job_title = StringField(_l("Job title"), validators=[
        DataRequired(_l("Give the job title.")), Length(max=200)])
    employer_name = StringField(_l("Employer name"), validators=[
        DataRequired(_l("Give the employer's name.")), Length(max=200)])
    occupation = StringField(_l("Occupation"), validators=[
        DataRequired(_l("Give the occupation.")), Length(max=200)])
    duties = TextAreaField(_l("Duties"), validators=[
        DataRequired(_l("Describe the duties.")), Length(max=5000)])
    worksite = StringField(_l("Worksite address"), validators=[
        DataRequired(_l("Give the address where you will work.")), Length(max=300)])
    salary = StringField(_l("Salary per year"), filters=[
        lambda v: v.replace(",", "").replace(" ", "") if isinstance(v, str) else v],
        validators=[DataRequired(_l("Give the yearly salary.")), _salary])
    salary_currency = SelectField(_l("Currency"), choices=options([
        ("", _l("Choose a currency")), ("USD", _l("US dollars (USD)")),
        ("CAD", _l("Canadian dollars (CAD)"))]),
        validators=[DataRequired(_l("Choose the salary's currency."))])
    version = HiddenField()

    questions: list = []

    def details(self) -> dict:
        return {q["name"]: self[f"x_{q['name']}"].data or "" for q in self.questions}

    occupation_question = None  # a category question that is the occupation, if any

    def job_values(self, names) -> dict:
        """The petition's job columns; the occupation from its category question when the
        category asks it that way."""
        values = {name: self[name].data for name in names if name in self}
        if self.occupation_question:
            values["occupation"] = self[f"x_{self.occupation_question}"].data or ""
        return values


def job_form(category, details: dict | None = None, **kwargs) -> JobForm:
    """The job form with the category's own questions (``Category.extra_fields``) added
    as ``x_<name>`` fields; required ones are enforced. ``details`` fills them in when
    the form shows the saved draft rather than a post."""
    class CategoryJobForm(JobForm):
        questions = list(category.extra_fields or [])
    for q in CategoryJobForm.questions:
        validators = [DataRequired(_("Answer this question: %(label)s", label=q["label"]))
                      if q.get("required") else Optional(), Length(max=500)]
        label = q["label"] if q.get("required") else f"{q['label']} ({_('optional')})"
        if q.get("choices"):
            # A list from the reference data (e.g. the USMCA professions): one choice.
            choices = [("", _("Choose from the list"))] + [
                *professions.choices(q["choices"])]
            field = SelectField(label, choices=options(choices), description=q.get("hint", ""),
                                validators=validators)
        else:
            field = StringField(label, description=q.get("hint", ""), validators=validators)
        setattr(CategoryJobForm, f"x_{q['name']}", field)
        if q.get("occupation"):
            # This question is the occupation: not asked a second time.
            CategoryJobForm.occupation = None
            CategoryJobForm.occupation_question = q["name"]
    form = CategoryJobForm(**kwargs)
    if details is not None:
        for q in form.questions:
            form[f"x_{q['name']}"].data = details.get(q["name"], "")
    return form


class SlotUploadForm(BaseForm):
    """One document slot's upload (the form is prefixed with the slot's kind)."""
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to upload."))])


class AttestForm(BaseForm):
    attest = BooleanField(_l("I attest that the information in this petition is true, "
                             "complete and correct, and that the documents are genuine."),
                          validators=[DataRequired(_l("Tick the box to attest before you "
                                                      "submit."))])
    version = HiddenField()
