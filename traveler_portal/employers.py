"""Employer pages (placeholder until the traveler journey lands)."""
from flask import Blueprint, render_template

from .models import Role
from .permissions import roles_required

bp = Blueprint("employers", __name__, url_prefix="/employer")


@bp.get("/")
@roles_required(Role.EMPLOYER)
def dashboard():
    """The traveler's petitions."""
    return render_template("errors/error.html", status=200, title="My petitions")

