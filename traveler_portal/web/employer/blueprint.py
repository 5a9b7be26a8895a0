"""The `employer` blueprint, which every module of this folder adds its routes to."""
from flask import Blueprint

bp = Blueprint("employer", __name__, url_prefix="/employer")
