"""The emailed link that finishes a registration (domain/registration.py)."""
from flask import Blueprint, flash, redirect, render_template
from flask_babel import gettext as _

from .domain import registration, uow
from .permissions import public
from .sessions import start_session

bp = Blueprint("registration", __name__)


@bp.get("/register/confirm/<token>")
@public
def confirm(token):
    """Create the account the link describes and sign it in (once; then 410)."""
    try:
        user = registration.confirm(token)
    except registration.LinkGone as exc:
        uow.rollback()
        return render_template("auth/register_gone.html", message=exc.message), 410
    start_session(user)
    flash(_("Your account is ready."), "success")
    from .web import home_for  # noqa: PLC0415 - web imports this module
    return redirect(home_for(user))
