"""Traveler pages (placeholder until the traveler journey lands)."""
from flask import Blueprint, render_template

from .models import Role
from .permissions import roles_required

bp = Blueprint("travelers", __name__, url_prefix="/my")


@bp.get("/")
@roles_required(Role.TRAVELER)
def dashboard():
    """The traveler's petitions."""
    return render_template("errors/error.html", status=200, title="My petitions")


@bp.get("/petitions/new")
@roles_required(Role.TRAVELER)
def new_petition():
    """File a petition."""
    return render_template("errors/error.html", status=200, title="File a petition")
