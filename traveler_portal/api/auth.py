"""Tokens and the caller's identity."""
from flask import g, jsonify, request
from flask_babel import gettext as _

from ..domain import accounts, lockout, second_factor
from ..ratelimits import signin_limits
from .blueprint import bp
from .helpers import ApiError, api_auth, api_public, from_domain, json_body


@bp.post("/auth/token")
@api_public
@signin_limits
def create_token():
    """Exchange email and password (and, for an account with a second factor, ``otp``)
    for a bearer token (shown once)."""
    data = json_body()
    email, address = str(data.get("email") or ""), request.remote_addr
    try:
        user = lockout.authenticate(email, str(data.get("password") or ""), address)
    except lockout.Locked as exc:
        response, status = from_domain(exc)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response, status
    if user is None:
        raise ApiError(401, "invalid_credentials", _("The email or password is wrong."))
    if second_factor.asked_at_sign_in(user):
        otp = data.get("otp")
        if not otp or not isinstance(otp, str) or not second_factor.enrolled(user):
            raise ApiError(401, "otp_required", _(
                "This account signs in with a second factor: send \"otp\", the code from "
                "the authenticator app (set it up by signing in in the browser first)."))
        if second_factor.verify(user, otp) is None:
            lockout.failed(email, address)
            raise ApiError(401, "invalid_credentials", _("The email, password or code is wrong."))
    lockout.succeeded(email)
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
