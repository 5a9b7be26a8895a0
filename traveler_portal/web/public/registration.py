"""The emailed link that finishes a registration (domain/registration.py)."""
from flask import flash, redirect, render_template
from flask_babel import gettext as _

from ...domain import registration
from ..support.permissions import public
from ..support.sessions import start_session
from ..support.templating import home_for
from .blueprint import bp


@bp.get("/register/confirm/<token>")
@public
def confirm_registration(token):
    """Create the account the link describes and sign it in (once; then 410)."""
    try:
        user = registration.confirm(token)
    except registration.LinkGone as exc:
        return render_template("public/register_gone.html", message=exc.message), 410
    start_session(user)
    flash(_("Your account is ready."), "success")
    return redirect(home_for(user))
