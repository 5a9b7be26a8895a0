"""Passwords in the browser: a forgotten one (ask for a link by email, then choose a new
password through it; domain/password_reset.py), and changing one while signed in."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from ...domain import accounts, password_reset, passwords
from ...domain.errors import ValidationFailed
from ...forms.base import BaseForm, EmailAddress, apply_errors, new_password_fields
from ...ratelimits import signin_limits
from ..support.permissions import public, signed_in
from ..support.sessions import start_session
from .blueprint import bp
from .second_factor import recent_second_factor


class ForgotForm(BaseForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter your email address.")),
        EmailAddress(_l("Enter a valid email address."))])


# Made before the new-password fields, so it comes first in the form and its error list.
_CURRENT = PasswordField(_l("Current password"), render_kw={"autocomplete": "current-password"},
                         validators=[DataRequired(_l("Enter your current password."))])


class NewPasswordForm(BaseForm):
    password, confirm = new_password_fields(_l("New password (at least 12 characters)"),
                                            _l("Confirm the new password"))


class ChangeForm(NewPasswordForm):
    current = _CURRENT


@bp.route("/password/change", methods=["GET", "POST"])
@signed_in
@recent_second_factor
def change_password():
    """Change the password, knowing the current one; other sessions are signed out, this
    one goes on."""
    form = ChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if accounts.authenticate(user.email, form.current.data) is None:
            form.current.errors = [_("The current password is not right.")]
        else:
            try:
                passwords.set_password(user, form.password.data)
            except ValidationFailed as exc:
                apply_errors(form, exc, fallback="password")
            else:
                start_session(user)  # the new session nonce: this browser stays signed in
                flash(_("Your password is changed, and every other session of your account "
                        "is signed out."), "success")
                return redirect(url_for("public.index"))
    return render_template("public/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@signin_limits
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    form = ForgotForm()
    if form.validate_on_submit():
        password_reset.request_link(form.email.data)
        return render_template("public/forgot_sent.html", email=form.email.data)
    return render_template("public/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    """Choose a new password through the emailed link (good once, for a short time)."""
    try:
        password_reset.find(token)
    except password_reset.LinkGone as exc:
        return render_template("public/reset_gone.html", message=exc.message,
                               form=ForgotForm(formdata=None)), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset(token, form.password.data)
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="password")
        else:
            flash(_("Your password is changed, and every other session of your account is "
                    "signed out. Sign in with the new password."), "success")
            return redirect(url_for("public.login"))
    return render_template("public/reset.html", form=form), 422 if form.errors else 200
