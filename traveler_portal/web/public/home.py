"""The landing page and the health check."""
import logging

import sqlalchemy as sa
from flask import current_app, jsonify, redirect, render_template, send_from_directory
from flask_login import current_user

from ...domain import outbox
from ...extensions import db
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


@bp.get("/healthz")
@public
def healthz():
    """Version, database revision and broker reachability, for load balancers and
    operators; what failed and why goes to the log, not to this public answer."""
    status = {"version": current_app.config["VERSION"]}
    try:
        status["database_revision"] = db.session.execute(
            sa.text("SELECT version_num FROM alembic_version")).scalar()
        status["outbox_unpublished"] = outbox.unpublished_count()
        status["database"] = "ok"
    except sa.exc.SQLAlchemyError:
        log.exception("health check: the database is not answering")
        status["database"] = "error"  # the boundary rolls the failed session back (503)
    try:
        with current_app.extensions["celery"].connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        status["broker"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "unreachable" here
        log.warning("health check: the broker is unreachable", exc_info=True)
        status["broker"] = "unreachable"
    healthy = status["database"] == "ok"
    return jsonify(status), 200 if healthy else 503


@bp.get("/favicon.ico")
@public
def favicon():
    """The site's icon (static/favicon.ico: 16 and 32 pixel images): browsers ask for it on
    every first visit, whatever the page says, and a 404 there is a console error."""
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)
