"""Rate limits on sign-in, shared by the browser form and the API token endpoint."""
from flask import current_app, request

from .extensions import limiter


def _account_key() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    email = (data or {}).get("email") if hasattr(data, "get") else None
    return "signin:" + str(email or "").strip().lower()


def signin_limits(view):
    """At most SIGNIN_LIMIT_PER_ACCOUNT attempts per email and SIGNIN_LIMIT_PER_ADDRESS per
    client address; POSTs only (showing the form is free)."""
    per_account = limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"],
                                key_func=_account_key, methods=["POST"])
    per_address = limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ADDRESS"],
                                methods=["POST"])
    return per_address(per_account(view))
