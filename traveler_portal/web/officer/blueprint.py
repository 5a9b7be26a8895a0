"""The `officer` blueprint, which every module of this folder adds its routes to, and who
may use it: officers and supervisors (supervisors work cases too)."""
from flask import Blueprint

from ...models import Role

bp = Blueprint("officer", __name__, url_prefix="/officer")
AGENCY = (Role.OFFICER, Role.SUPERVISOR)
