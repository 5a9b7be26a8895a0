"""The traveler's profile page: kept once, reused for every petition.

The saved passport number is never sent back to the browser: the field stays empty and
the page shows it masked (``••••1234``); leaving it empty keeps the one on file.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import profiles
from ...domain.errors import ValidationFailed
from ...forms.profile import ProfileForm
from ...models import Role
from ..support.permissions import roles_required
from .blueprint import bp


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
