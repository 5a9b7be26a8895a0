"""The `admin` blueprint, which every module of this folder adds its routes to."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
