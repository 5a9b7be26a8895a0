"""Administration pages (placeholder)."""
from flask import Blueprint, render_template

from .models import Role
from .permissions import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required(Role.ADMIN)
def home():
    """Administration."""
    return render_template("errors/error.html", status=200, title="Administration")
