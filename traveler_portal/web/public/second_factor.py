"""The second sign-in factor in the browser (domain/second_factor.py).

Sign-in in two steps: auth.login checks the password and hands over to
:func:`after_password`. An account asked for a second factor is then *not* signed in: the
session only holds a short-lived "pending sign-in" (account, its session nonce, when, where
to go next) until a code from the authenticator or a recovery code is typed on
``/login/code``; an agency account without a factor is first led through enrolment on
``/login/enrol``. Wrong codes count as failed sign-ins (domain/lockout.py).

Changing the password or the factor needs a code typed within the last
SECOND_FACTOR_REAUTH_SECONDS (:func:`recent_second_factor`); signing in counts.
"""
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ...domain import lockout, second_factor
from ...domain.errors import ValidationFailed
from ...extensions import db
from ...forms.base import BaseForm
from ...models import User
from ..support.permissions import public, signed_in
from ..support.sessions import start_session
from ..support.templating import home_for
from .blueprint import bp

PENDING, VERIFIED_AT = "pending_signin", "second_factor_at"


SECRET_PAGES = {"public.sign_in_code", "public.sign_in_enrol", "public.second_factor_settings",
                "public.confirm_second_factor", "public.set_up_second_factor",
                "public.new_recovery_codes", "public.remove_second_factor"}


@bp.after_request
def _no_store(response):
    # These pages show secrets (the TOTP key, recovery codes): never kept by a cache.
    if request.endpoint in SECRET_PAGES:
        response.headers["Cache-Control"] = "no-store"
    return response


class CodeForm(BaseForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off",
                                  "spellcheck": "false"},
                       validators=[DataRequired(_l("Enter the code.")), Length(max=40)])


class EnrolForm(BaseForm):
    code = StringField(_l("The 6-digit code your authenticator app shows"),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
                       validators=[DataRequired(_l("Enter the 6-digit code.")), Length(max=20)])


class ConfirmForm(BaseForm):
    """An empty form: a POST button with its CSRF token."""


def _safe(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or \
            target.startswith(("//", "/\\")):
        return None
    return target


# --- the sign-in's second step ---------------------------------------------------------

def _forget_cached_csrf() -> None:
    """Flask-WTF caches this request's CSRF token in ``g``; after the session is cleared
    that token names the old session, so a form rendered now (the recovery codes page's
    sign-out button) would carry a dead token."""
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def after_password(user: User, next_url: str | None):
    """The right password was given: sign in, or ask for the second step."""
    if not second_factor.asked_at_sign_in(user):
        return _complete(user, next_url)
    session.clear()  # nothing from before survives, and nobody is signed in yet
    _forget_cached_csrf()
    session[PENDING] = {"user": user.id, "nonce": user.session_nonce,
                        "at": int(time.time()), "next": _safe(next_url)}
    if second_factor.enrolled(user):
        return redirect(url_for("public.sign_in_code"))
    return redirect(url_for("public.sign_in_enrol"))


def _pending_user() -> User | None:
    data = session.get(PENDING)
    if not isinstance(data, dict) or not isinstance(data.get("at"), int):
        return None
    if not 0 <= time.time() - data["at"] <= current_app.config["SECOND_FACTOR_PENDING_SECONDS"]:
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
    if user is None or not user.is_active or user.session_nonce != data.get("nonce"):
        return None
    return user


def _sign_in(user: User, verified: bool) -> None:
    """Signed in now: the account's failed attempts are forgotten, a fresh session starts
    (and, after a code, it counts as recent for re-authentication)."""
    lockout.succeeded(user.email)
    start_session(user)
    _forget_cached_csrf()
    if verified:
        session[VERIFIED_AT] = int(time.time())


def _complete(user: User, next_url: str | None, verified: bool = False):
    _sign_in(user, verified)
    return redirect(_safe(next_url) or home_for(user))


def _start_again():
    session.pop(PENDING, None)
    flash(_("Sign in again: the time for the second step ran out."), "error")
    return redirect(url_for("public.login"))


def _check_code(user: User, form) -> tuple[str | None, bool]:
    """(which kind of code was used, or None; whether the account is locked out): a
    code typed for ``user``, counted against the sign-in budget; the error on the form."""
    address = request.remote_addr
    try:
        lockout.check(user.email, address)
    except lockout.Locked as exc:
        form.code.errors.append(exc.message)
        return None, True
    used = second_factor.verify(user, form.code.data)
    if used is None:
        lockout.failed(user.email, address)
        form.code.errors.append(_("The code is not right, or was already used."))
    return used, False


@bp.route("/login/code", methods=["GET", "POST"])
@public
def sign_in_code():
    """The second step of signing in: a code from the authenticator, or a recovery code."""
    user = _pending_user()
    if user is None or not second_factor.enrolled(user):
        return _start_again()
    form, status = CodeForm(), 200
    if form.validate_on_submit():
        used, locked = _check_code(user, form)
        if locked:
            return render_template("public/second_factor_code.html", form=form), 429
        if used is not None:
            response = _complete(user, session[PENDING].get("next"), verified=True)
            if used == "recovery":  # after the fresh session, which would drop it
                flash(_("You signed in with a recovery code; %(left)d left. Each works once.",
                        left=second_factor.recovery_codes_left(user)), "success")
            return response
    if form.errors:
        status = 422
    return render_template("public/second_factor_code.html", form=form), status


def _enrolment_page(user: User, form, template: str, status: int = 200, **extra):
    secret = second_factor.pending_secret(user) or second_factor.start_enrolment(user)
    uri = second_factor.provisioning_uri(user, secret)
    return render_template(template, form=form, secret=secret,
                           secret_groups=[secret[i:i + 4] for i in range(0, len(secret), 4)],
                           qr=second_factor.qr_svg(uri, _("QR code to scan with your "
                                                          "authenticator app")),
                           issuer=second_factor.ISSUER, account=user.email,
                           **extra), status


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def sign_in_enrol():
    """First sign-in of an account that must have a second factor: set it up now."""
    user = _pending_user()
    if user is None:
        return _start_again()
    if second_factor.enrolled(user):
        return redirect(url_for("public.sign_in_code"))
    form = EnrolForm()
    if form.validate_on_submit():
        address = request.remote_addr
        try:
            lockout.check(user.email, address)
            codes = second_factor.confirm(user, form.code.data)
        except lockout.Locked as exc:
            form.code.errors.append(exc.message)
        except ValidationFailed as exc:
            lockout.failed(user.email, address)
            form.code.errors.append(exc.fields["code"])
        else:
            next_url = session[PENDING].get("next")
            _sign_in(user, verified=True)
            return render_template("public/recovery_codes.html", codes=codes,
                                   continue_url=_safe(next_url) or home_for(user))
    return _enrolment_page(user, form, "public/second_factor_enrol.html",
                           422 if form.errors else 200, at_sign_in=True)


# --- the account's own pages -------------------------------------------------------------

def _recent() -> bool:
    verified = session.get(VERIFIED_AT)
    return isinstance(verified, int) and \
        0 <= time.time() - verified <= current_app.config["SECOND_FACTOR_REAUTH_SECONDS"]


def recent_second_factor(view):
    """For an account with a second factor: a code typed recently, else ask for one first
    and come back (changing the password or the factor)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not _recent() and \
                second_factor.enrolled(current_user._get_current_object()):
            # A form posted after the time ran out is shown again afterwards (its GET).
            stay = request.method == "GET" or request.endpoint == "public.change_password"
            back = request.path if stay else url_for("public.second_factor_settings")
            return redirect(url_for("public.confirm_second_factor", next=back))
        return view(*args, **kwargs)
    return wrapped


@bp.get("/account/second-factor")
@signed_in
def second_factor_settings():
    """Whether the account has a second factor, its recovery codes, and what can change."""
    user = current_user._get_current_object()
    return render_template("public/second_factor_manage.html", form=ConfirmForm(),
                           enrolled=second_factor.enrolled(user),
                           required=second_factor.required(user),
                           codes_left=second_factor.recovery_codes_left(user))


@bp.route("/account/second-factor/confirm", methods=["GET", "POST"])
@signed_in
def confirm_second_factor():
    """Type a code again before a sensitive change."""
    user = current_user._get_current_object()
    next_url = _safe(request.args.get("next")) or url_for("public.second_factor_settings")
    if not second_factor.enrolled(user):
        return redirect(next_url)
    form = CodeForm()
    if form.validate_on_submit():
        used, locked = _check_code(user, form)
        if locked:
            return render_template("public/second_factor_confirm.html", form=form), 429
        if used is not None:
            session[VERIFIED_AT] = int(time.time())
            return redirect(next_url)
    return render_template("public/second_factor_confirm.html", form=form), \
        422 if form.errors else 200


@bp.route("/account/second-factor/setup", methods=["GET", "POST"])
@signed_in
@recent_second_factor
def set_up_second_factor():
    """Set up (or replace) the authenticator app; shows the new recovery codes once."""
    user = current_user._get_current_object()
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm(user, form.code.data)
        except ValidationFailed as exc:
            form.code.errors.append(exc.fields["code"])
        else:
            session[VERIFIED_AT] = int(time.time())
            return render_template("public/recovery_codes.html", codes=codes,
                                   continue_url=url_for("public.second_factor_settings"))
    return _enrolment_page(user, form, "public/second_factor_enrol.html",
                           422 if form.errors else 200, at_sign_in=False)


@bp.post("/account/second-factor/recovery-codes")
@signed_in
@recent_second_factor
def new_recovery_codes():
    """Ten new recovery codes (the old ones stop working), shown once."""
    user = current_user._get_current_object()
    if not ConfirmForm().validate_on_submit() or not second_factor.enrolled(user):
        return redirect(url_for("public.second_factor_settings"))
    codes = second_factor.regenerate_recovery_codes(user)
    return render_template("public/recovery_codes.html", codes=codes,
                           continue_url=url_for("public.second_factor_settings"))


@bp.post("/account/second-factor/remove")
@signed_in
@recent_second_factor
def remove_second_factor():
    """Turn the second factor off (travelers and employers only)."""
    user = current_user._get_current_object()
    if ConfirmForm().validate_on_submit() and not second_factor.required(user):
        second_factor.remove(user)
        flash(_("Two-step sign-in is off. Signing in asks for your password only."),
              "success")
    return redirect(url_for("public.second_factor_settings"))
