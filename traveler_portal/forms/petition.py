"""The petition's first details (destination, category, port, travel date, job), used by
the employer's one-page form and by the API's create and update."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..domain import reference
from ..domain.petitions import DraftInput, resolve_traveler
from .base import BaseForm, EmailAddress, not_in_past, options


class PetitionForm(BaseForm):
    destination_country = SelectField(_l("Destination country"),
                                      choices=options(list(reference.COUNTRIES.items())),
                                      validators=[InputRequired(
                                          _l("Choose the destination country."))])
    category = SelectField(_l("Category"), choices=[],
                           validators=[InputRequired(_l("Choose a category."))])
    port_of_entry = SelectField(_l("Port of entry"), choices=[],
                                validators=[InputRequired(_l("Choose a port of entry."))])
    travel_date = DateField(_l("Travel date"), format="%Y-%m-%d",
                            validators=[InputRequired(_l("Give the travel date.")),
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
