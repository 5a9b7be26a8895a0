"""The landing page and the health check."""
import logging

from flask import current_app, redirect, render_template, send_from_directory
from flask_login import current_user

from ..support.permissions import public
from ..support.templating import home_for
from .blueprint import bp

log = logging.getLogger(__name__)


@bp.get("/")
@public
def index():
    """The landing page, or the signed-in user's own home."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("public/index.html")


@bp.get("/favicon.ico")
@public
def favicon():
    """The site's icon (static/favicon.ico: 16 and 32 pixel images): browsers ask for it on
    every first visit, whatever the page says, and a 404 there is a console error."""
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)
