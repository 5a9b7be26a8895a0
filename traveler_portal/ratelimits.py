"""Rate limits on sign-in, shared by the browser form and the API token endpoint.

The limits are shared ones (one scope for every sign-in door), so an account has one
budget across the browser and the API, counted in Redis (RATELIMIT_STORAGE_URI, the
broker's by default) so that it holds across web processes. The progressive lockout on
failures is domain/lockout.py.
"""
from flask import current_app, request

from .extensions import limiter


def _account_key() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    email = (data or {}).get("email") if hasattr(data, "get") else None
    return "signin:" + str(email or "").strip().lower()


def signin_limits(view):
    """At most SIGNIN_LIMIT_PER_ACCOUNT attempts per email and SIGNIN_LIMIT_PER_ADDRESS per
    client address, all sign-in doors together; POSTs only (showing the form is free)."""
    per_account = limiter.shared_limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"],
                                       scope="signin-account", key_func=_account_key,
                                       methods=["POST"])
    per_address = limiter.shared_limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ADDRESS"],
                                       scope="signin-address", methods=["POST"])
    return per_address(per_account(view))


def _registered_email() -> str:
    return "register:" + str(request.form.get("email") or "").strip().lower()


def registration_limits(view):
    """Registrations per client address (REGISTRATION_LIMIT_PER_ADDRESS) and per address
    asked for (REGISTRATION_LIMIT_PER_EMAIL: no mail bombing one inbox), POSTs only."""
    per_address = limiter.limit(lambda: current_app.config["REGISTRATION_LIMIT_PER_ADDRESS"],
                                methods=["POST"])
    per_email = limiter.limit(lambda: current_app.config["REGISTRATION_LIMIT_PER_EMAIL"],
                              key_func=_registered_email, methods=["POST"])
    return per_address(per_email(view))
