"""``/favicon.ico``: browsers ask for it on every first visit, whatever the page says; a
404 there is a console error on every first load."""
from flask import Blueprint, current_app, send_from_directory

from .permissions import public

bp = Blueprint("favicon", __name__)


@bp.get("/favicon.ico")
@public
def favicon():
    """The site's icon (static/favicon.ico: 16 and 32 pixel images)."""
    response = send_from_directory(current_app.static_folder, "favicon.ico",
                                   mimetype="image/vnd.microsoft.icon", max_age=86400)
    return response
