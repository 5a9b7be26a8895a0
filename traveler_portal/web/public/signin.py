"""Sign-in, sign-out and self-registration (travelers and employer admins)."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    ValidationError,
)

from ...domain import accounts, lockout, registration
from ...domain.errors import ValidationFailed
from ...extensions import login_manager
from ...forms.base import BaseForm, EmailAddress, new_password_fields, options
from ...ratelimits import registration_limits, signin_limits
from ..support.permissions import public, signed_in
from ..support.templating import home_for
from . import second_factor
from .blueprint import bp

login_manager.login_view = "public.login"
login_manager.login_message = _l("Sign in to continue.")
login_manager.session_protection = "strong"


class LoginForm(BaseForm):
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Enter your password."))])


class RegisterForm(BaseForm):
    account_type = RadioField(_l("I am"), choices=options([
        ("traveler", _l("A business traveler filing for myself")),
        ("employer", _l("An employer registering my organization"))]),
        default="traveler", validators=[InputRequired(_l("Choose the kind of account."))])
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your full name.")),
                                                    Length(max=200)])
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter your email address.")),
        EmailAddress(_l("Enter a valid email address."))])
    organization = StringField(_l("Organization's legal name (employers only)"),
                               validators=[Length(max=200)])
    password, confirm = new_password_fields()

    def validate_organization(self, field):
        if self.account_type.data == "employer" and not field.data:
            raise ValidationError(_("Enter your organization's legal name."))


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
@signin_limits
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = lockout.authenticate(form.email.data, form.password.data, request.remote_addr)
        except lockout.Locked as exc:
            form.email.errors.append(exc.message)
            return render_template("public/login.html", form=form), 429
        if user is None:
            form.password.errors.append(_("The email or password is wrong."))
        else:  # signed in now, or after the second factor (totp_web)
            return second_factor.after_password(user, _safe_next(request.args.get("next")))
    return render_template("public/login.html", form=form), 200 if not form.errors else 422


@bp.route("/register", methods=["GET", "POST"])
@public
@registration_limits
def register():
    """Ask for a traveler or employer-admin account: the same answer for every address
    (the account is made from the emailed link; domain/registration.py)."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            registration.request(form.account_type.data, form.email.data, form.password.data,
                                 form.name.data, form.organization.data)
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                getattr(form, name, form.email).errors.append(message)
        else:
            return render_template("public/register_sent.html", email=form.email.data)
    return render_template("public/register.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@signed_in
def logout():
    """Sign out, here and in every other browser: a copy of this session's cookie, or
    one left on another computer, no longer signs anyone in."""
    accounts.sign_out_everywhere(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.login"))

