"""Headers every answer carries: what a page may load and run (CSP and friends), and
headers for its sensitivity:

- ``Cache-Control: no-store`` on every answer to an authenticated caller (a signed-in
  browser or an API token) and on the password-reset pages: the simplest honest rule for
  "pages and API answers holding personal data", since nearly every authenticated page
  shows some (names, petitions, passport details). A shared or back-button cache then
  keeps none of it. Static files are exempt (they hold nothing personal).
- ``Strict-Transport-Security`` where HSTS_SECONDS is set (ProductionConfig: a year), so
  a browser that once reached the portal over HTTPS never again tries plain HTTP.
"""
from flask import current_app, g, request
from flask_login import current_user

RESET_PAGES = ("/password/reset/",)


def _holds_personal_data() -> bool:
    if request.endpoint == "static":
        return False
    if request.path.startswith(RESET_PAGES):
        return True
    if g.get("api_user") is not None:
        return True
    # The account the request loaded (cached on g by Flask-Login); loaded now only if the
    # request has not done it yet. Its attributes are not read again: the request's commit
    # has expired them, and reading one would load the account a second time. Only active
    # accounts are ever signed in (sessions._load_user, login_user), so a loaded one that
    # is not anonymous is signed in.
    user = g.get("_login_user")
    if user is None:
        return bool(current_user) and current_user.is_authenticated
    return not user.is_anonymous


def _add_headers(response):
    if _holds_personal_data() and "no-store" not in (response.headers.get("Cache-Control")
                                                     or ""):
        response.headers["Cache-Control"] = "no-store"
    seconds = current_app.config.get("HSTS_SECONDS") or 0
    if seconds:
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={int(seconds)}; includeSubDomains")
    return response


def init_app(app):
    app.after_request(_add_headers)

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
