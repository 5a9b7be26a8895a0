"""Tokens and the caller's identity."""
from flask import g, jsonify
from flask_babel import gettext as _

from ..domain import accounts
from ..ratelimits import signin_limits
from .blueprint import bp
from .helpers import ApiError, api_auth, api_public, json_body


@bp.post("/auth/token")
@api_public
@signin_limits
def create_token():
    """Exchange email and password for a bearer token (shown once)."""
    data = json_body()
    user = accounts.authenticate(str(data.get("email") or ""), str(data.get("password") or ""))
    if user is None:
        raise ApiError(401, "invalid_credentials", _("The email or password is wrong."))
    token, row = accounts.issue_token(user)
    return jsonify(token=token, expires_at=row.expires_at.isoformat(timespec="seconds")), 201


@bp.delete("/auth/token")
@api_auth()
def revoke_token():
    """Revoke the token used for this call."""
    if g.api_token is None:
        raise ApiError(403, "forbidden", _("API keys are revoked by an employer admin in the "
                                           "portal, not through this call."))
    accounts.revoke_token(g.api_token)
    return "", 204


@bp.get("/me")
@api_auth()
def me():
    """Who the token belongs to."""
    user = g.api_user
    return jsonify(email=user.email, name=user.name, role=user.role.value,
                   country=user.country.value if user.country else None,
                   organization=({"id": user.organization.id, "name": user.organization.name}
                                 if user.organization else None))
