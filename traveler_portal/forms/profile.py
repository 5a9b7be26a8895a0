"""The traveler's profile (identity, passport, residence, language), shared by the
profile page and ``PUT /api/v1/me/profile``."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..domain import profiles
from .base import BaseForm, options

YES_NO = [("no", _l("No")), ("yes", _l("Yes"))]


class ProfileForm(BaseForm):
    given_names = StringField(_l("Given names"), validators=[
        DataRequired(_l("Give your given names as in your passport.")), Length(max=200)])
    family_name = StringField(_l("Family name"), validators=[
        DataRequired(_l("Give your family name as in your passport.")), Length(max=200)])
    date_of_birth = DateField(_l("Date of birth"), format="%Y-%m-%d", validators=[
        InputRequired(_l("Give your date of birth."))])
    # One choice and an optional second, posted as two values of the same name (two
    # single selects, not a 250-line multi-select).
    citizenships = SelectMultipleField(_l("Citizenship"), choices=[], validate_choice=False,
                                       validators=[InputRequired(_l(
                                           "Choose at least one country of citizenship."))])
    passport_number = StringField(_l("Passport number"), validators=[Optional(),
                                                                     Length(max=40)])
    passport_country = SelectField(_l("Country that issued the passport"), choices=[],
                                   validators=[InputRequired(_l(
                                       "Choose the country that issued your passport."))])
    passport_expiry = DateField(_l("Passport expiry date"), format="%Y-%m-%d", validators=[
        InputRequired(_l("Give the passport's expiry date."))])
    residence_country = SelectField(_l("Country of residence"), choices=[], validators=[
        InputRequired(_l("Choose the country where you live."))])
    residence_address = TextAreaField(_l("Home address (optional)"),
                                      validators=[Length(max=1000)])
    prior_refusals = RadioField(_l("Have you ever been refused entry, a visa or a permit by "
                                   "the United States or Canada?"), choices=options(YES_NO),
                                # not pre-answered: no default
                                validators=[InputRequired(_l("Answer yes or no."))])
    prior_refusals_details = TextAreaField(_l("If yes: when, where and why"),
                                           validators=[Length(max=5000)])
    preferred_language = RadioField(_l("Preferred language"), default="en",
                                    choices=options([("en", "English"), ("fr", "Français")]),
                                    validators=[InputRequired(_l("Choose English or French."))])

    def set_countries(self, locale: str):
        choices = profiles.countries(locale)
        self.citizenships.choices = options(choices)
        self.country_choices = options([("", _("Choose a country"))] + choices)
        blank = [("", _("Choose a country"))]
        self.passport_country.choices = options(blank + choices)
        self.residence_country.choices = options(blank + choices)

    def to_input(self) -> profiles.ProfileInput:
        return profiles.ProfileInput(
            given_names=self.given_names.data or "", family_name=self.family_name.data or "",
            date_of_birth=self.date_of_birth.data,
            citizenships=list(dict.fromkeys(c for c in self.citizenships.data or [] if c)),
            passport_number=self.passport_number.data or None,
            passport_country=self.passport_country.data or "",
            passport_expiry=self.passport_expiry.data,
            residence_country=self.residence_country.data or "",
            residence_address=self.residence_address.data or "",
            prior_refusals=self.prior_refusals.data == "yes",
            prior_refusals_details=self.prior_refusals_details.data or "",
            preferred_language=self.preferred_language.data)
