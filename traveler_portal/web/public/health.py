"""Health endpoints for load balancers and operators.

``/healthz`` is liveness: the process answers (200, "ok"). ``/readyz`` is readiness:
database reachable, migrations at head, broker reachable; 503 naming the part that
failed. Either answers only ok / not ok to the public; the details (version, database
revision, broker) go to loopback callers (an operator on the host, a sidecar) and to
signed-in agency staff. Behind a reverse proxy set TRUSTED_PROXIES, or every request
would look local.
"""
import ipaddress

from flask import current_app, jsonify, request
from flask_login import current_user

from ... import health
from ..support.permissions import public
from .blueprint import bp


def _may_see_details() -> bool:
    try:
        if ipaddress.ip_address(request.remote_addr or "").is_loopback:
            return True
    except ValueError:
        pass
    return bool(current_user and current_user.is_authenticated and current_user.is_agency)


def _details(checks: dict) -> dict:
    revision = None
    if checks["database"][0]:
        try:
            revision = health.database_revision()
        except Exception:  # noqa: BLE001 - already reported as a failed check
            revision = None
    return {"version": current_app.config["VERSION"], "database_revision": revision,
            "checks": {name: {"ok": ok, "detail": detail}
                       for name, (ok, detail) in checks.items()}}


@bp.get("/healthz")
@public
def healthz():
    """Liveness: this process answers. Details for local callers and staff."""
    body = {"status": "ok"}
    if _may_see_details():
        body.update(_details(health.readiness()))
    return jsonify(body), 200


@bp.get("/readyz")
@public
def readyz():
    """Readiness: 200 when database, migrations and broker are all right; else 503 with
    the names of the parts that failed."""
    checks = health.readiness()
    failed = [name for name, (ok, _) in checks.items() if not ok]
    body = {"status": "not ok" if failed else "ok"}
    if failed:
        body["failed"] = failed
    if _may_see_details():
        body.update(_details(checks))
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 503 if failed else 200
