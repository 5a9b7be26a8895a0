"""Browser-side wiring: blueprints, error pages and template helpers (health checks:
health_web.py)."""
import logging

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from . import admin, employers, filing, inbox, integrations_views, officers, profile, travelers
from . import admin_rules, casework_web, queue_web, supervisors
from . import notice_views
from . import invitations_web, organization
from . import imports, password_web
from . import health_web
from .api.helpers import HTTP_CODES
from .domain import notifications, uow, workflow
from .domain.errors import DomainError
from .models import Role
from .permissions import public

log = logging.getLogger(__name__)
bp = Blueprint("main", __name__)

HOME_BY_ROLE = {Role.TRAVELER: "travelers.dashboard", Role.EMPLOYER: "employers.dashboard",
                Role.OFFICER: "officers.queues", Role.SUPERVISOR: "officers.queues",
                Role.ADMIN: "admin.home"}

ERROR_TITLES = {400: _l("The request could not be understood"), 403: _l("Not allowed"),
                404: _l("Page not found"), 405: _l("Not allowed"),
                409: _l("Someone else changed this first"),
                413: _l("The file is too large"), 415: _l("That kind of file is not accepted"),
                422: _l("Some details are not valid"),
                429: _l("Too many attempts: wait a minute and try again"),
                500: _l("Sorry, something went wrong on our side")}


def home_for(user) -> str:
    return url_for(HOME_BY_ROLE[user.role])


@bp.get("/")
@public
def index():
    """The landing page, or the signed-in user's own home."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("main/index.html")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_page(status: int, message: str = ""):
    uow.rollback()
    if _wants_json():
        return jsonify({"error": {"code": HTTP_CODES.get(status, "error"),
                                  "message": message or str(ERROR_TITLES.get(status, ""))}}), status
    return render_template("errors/error.html", status=status,
                           title=ERROR_TITLES.get(status, ERROR_TITLES[500]),
                           message=message), status


def init_app(app):
    app.register_blueprint(bp)
    app.register_blueprint(travelers.bp)
    app.register_blueprint(employers.bp)
    app.register_blueprint(officers.bp)
    app.register_blueprint(casework_web.bp)
    app.register_blueprint(supervisors.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_rules.bp)
    app.register_blueprint(queue_web.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(filing.bp)
    app.register_blueprint(profile.bp)
    app.register_blueprint(notice_views.bp)
    # The page's language (html lang, dates, reason texts) follows the selected locale.
    app.jinja_env.globals.setdefault("get_locale", get_locale)
    app.register_blueprint(integrations_views.bp)
    app.register_blueprint(organization.bp)
    app.register_blueprint(invitations_web.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(password_web.bp)
    app.register_blueprint(health_web.bp)

    @app.errorhandler(HTTPException)
    def _http(exc):
        response, status = _error_page(exc.code or 500,
                                       "" if exc.code == 404 else exc.description)
        response = current_app.make_response((response, status))
        if getattr(exc, "valid_methods", None):  # a 405 keeps its Allow header
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(DomainError)
    def _domain(exc):
        return _error_page(exc.http_status, exc.message)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unhandled error on %s", request.path)
        return _error_page(500)

    @app.after_request
    def _security_headers(response):
        # Pages carry no inline script and load nothing from elsewhere.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            "frame-ancestors 'self'; base-uri 'self'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.context_processor
    def _helpers():
        # Emails are rendered from tasks too, where there is no signed-in user.
        signed_in = bool(current_user) and current_user.is_authenticated
        unread = notifications.unread_count(current_user) if signed_in else 0
        agency = signed_in and current_user.is_agency
        return {"status_label": lambda s: workflow.STATUS_LABELS[s], "unread_count": unread,
                # travelers and employers see the agency's internal states as "in review"
                "shown_status": lambda s: s if agency else workflow.public_status(s),
                "event_title": workflow.event_title, "Role": Role}
