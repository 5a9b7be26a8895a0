"""The traveler's profile page: kept once, reused for every petition.

The saved passport number is never sent back to the browser: the field stays empty and
the page shows it masked (``••••1234``); leaving it empty keeps the one on file.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ...domain import profiles, uow
from ...domain.errors import ValidationFailed
from ...forms.base import BaseForm, options
from ...models import Role
from ..support.permissions import roles_required
from .blueprint import bp


YES_NO = [("no", _l("No")), ("yes", _l("Yes"))]


class ProfileForm(BaseForm):
    given_names = StringField(_l("Given names"), validators=[
        DataRequired(_l("Give your given names as in your passport.")), Length(max=200)])
    family_name = StringField(_l("Family name"), validators=[
        DataRequired(_l("Give your family name as in your passport.")), Length(max=200)])
    date_of_birth = DateField(_l("Date of birth"), format="%Y-%m-%d", validators=[
        InputRequired(_l("Give your date of birth as YYYY-MM-DD."))])
    citizenships = SelectMultipleField(_l("Citizenship"), choices=[], validators=[
        InputRequired(_l("Choose at least one country of citizenship."))])
    passport_number = StringField(_l("Passport number"), validators=[Optional(),
                                                                     Length(max=40)])
    passport_country = SelectField(_l("Country that issued the passport"), choices=[],
                                   validators=[InputRequired(_l(
                                       "Choose the country that issued your passport."))])
    passport_expiry = DateField(_l("Passport expiry date"), format="%Y-%m-%d", validators=[
        InputRequired(_l("Give the passport's expiry date as YYYY-MM-DD."))])
    residence_country = SelectField(_l("Country of residence"), choices=[], validators=[
        InputRequired(_l("Choose the country where you live."))])
    residence_address = TextAreaField(_l("Home address (optional)"),
                                      validators=[Length(max=1000)])
    prior_refusals = RadioField(_l("Have you ever been refused entry, a visa or a permit by "
                                   "the United States or Canada?"), choices=options(YES_NO),
                                default="no", validators=[InputRequired(_l("Answer yes or no."))])
    prior_refusals_details = TextAreaField(_l("If yes: when, where and why"),
                                           validators=[Length(max=5000)])
    preferred_language = RadioField(_l("Preferred language"), default="en",
                                    choices=options([("en", "English"), ("fr", "Français")]),
                                    validators=[InputRequired(_l("Choose English or French."))])

    def set_countries(self, locale: str):
        choices = profiles.countries(locale)
        self.citizenships.choices = options(choices)
        blank = [("", _("Choose a country"))]
        self.passport_country.choices = options(blank + choices)
        self.residence_country.choices = options(blank + choices)

    def to_input(self) -> profiles.ProfileInput:
        return profiles.ProfileInput(
            given_names=self.given_names.data or "", family_name=self.family_name.data or "",
            date_of_birth=self.date_of_birth.data, citizenships=list(self.citizenships.data),
            passport_number=self.passport_number.data or None,
            passport_country=self.passport_country.data or "",
            passport_expiry=self.passport_expiry.data,
            residence_country=self.residence_country.data or "",
            residence_address=self.residence_address.data or "",
            prior_refusals=self.prior_refusals.data == "yes",
            prior_refusals_details=self.prior_refusals_details.data or "",
            preferred_language=self.preferred_language.data)


def _form_for(profile) -> ProfileForm:
    if request.method == "POST" or profile is None:
        form = ProfileForm()
        if request.method == "GET":  # a first profile: the language being read now
            form.preferred_language.data = str(get_locale() or "en")
    else:
        form = ProfileForm(formdata=None, obj=profile)
        form.prior_refusals.data = "yes" if profile.prior_refusals else "no"
        form.passport_number.data = ""  # never sent back to the browser
    form.set_countries(str(get_locale() or "en"))
    return form


@bp.route("/profile", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def profile():
    """The traveler's identity, passport, residence and language, kept for every petition."""
    profile = profiles.get(current_user)
    form = _form_for(profile)
    if form.validate_on_submit():
        try:
            profiles.save(current_user, form.to_input())
        except ValidationFailed as exc:
            uow.rollback()
            for name, message in exc.fields.items():
                form[name].errors = [*form[name].errors, message]
        else:
            flash(_("Your profile was saved."), "success")
            back = request.args.get("back")  # a draft's review page, built here: no open redirect
            return redirect(url_for("traveler.review", receipt_number=back) if back
                            else url_for(".profile"))
    if form.errors and "csrf_token" not in form.errors:
        # The form's own checks failed: add the profile rules' messages for the other
        # fields too, so one post shows every problem.
        for name, message in profiles.problems(current_user, form.to_input()).items():
            if not form[name].errors:
                form[name].errors = [*form[name].errors, message]
    on_file = profiles.masked(profile.passport_number) if profile else ""
    return render_template("traveler/profile/edit.html", form=form, passport_on_file=on_file), \
        422 if form.errors else 200
