"""Officer pages (placeholder)."""
from flask import Blueprint, render_template

from .models import Role
from .permissions import roles_required

bp = Blueprint("officers", __name__, url_prefix="/officer")


@bp.get("/")
@roles_required(Role.OFFICER, Role.SUPERVISOR)
def queues():
    """Queues."""
    return render_template("errors/error.html", status=200, title="Queues")
